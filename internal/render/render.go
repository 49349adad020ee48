// Package render writes a report in the format the user asked for. Every format registers one
// constructor here; asking for a format that is not registered is an error, never a silent default.
package render

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
)

// Options tune writers.
type Options struct {
	// Color allows ANSI colour (only ever true on a terminal without NO_COLOR).
	Color bool
	// Command is the eksguard command that produced the report (scan, iac), for formats that say so.
	Command string
	// Quiet (table): no passing results, no header or skipped parts; the summary line ends it.
	Quiet bool
	// Compact (table): one line per resource with each control's status.
	Compact bool
}

// Writer writes one report.
type Writer interface {
	Write(w io.Writer, r *finding.Report) error
}

var registry = map[string]func(Options) Writer{}

// Register adds a format. It is called from init functions of this package only.
func register(name string, f func(Options) Writer) { registry[name] = f }

// New returns the writer for a format name.
func New(format string, opts Options) (Writer, error) {
	f, ok := registry[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want one of: %s)", format, strings.Join(Formats(), ", "))
	}
	return f(opts), nil
}

// order is how help texts list the formats: the everyday ones first.
var order = []string{"table", "json", "sarif", "patch", "junit", "csv", "markdown", "html", "ocsf", "asff"}

// Formats lists the registered format names, everyday ones first.
func Formats() []string {
	rank := func(f string) int {
		for i, o := range order {
			if o == f {
				return i
			}
		}
		return len(order)
	}
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if ri, rj := rank(out[i]), rank(out[j]); ri != rj {
			return ri < rj
		}
		return out[i] < out[j]
	})
	return out
}
