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

// Formats lists the registered format names.
func Formats() []string {
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
