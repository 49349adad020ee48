package render

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/eksguard/eksguard/internal/finding"
)

func init() { register("json", func(Options) Writer { return jsonWriter{} }) }

type jsonWriter struct{}

// Write streams the report one result at a time, so a fleet-wide report never exists twice in
// memory; the bytes are what encoding/json writes for the whole report indented by two spaces, with
// HTML escaping off (so "<", ">" and "&" stay as they are).
func (jsonWriter) Write(w io.Writer, r *finding.Report) error {
	ew := &errWriter{w: w, enc: map[string]*encoder{}}
	field := func(name string, v any, last bool) {
		ew.printf("  %q: %s", name, ew.indented(v, "  "))
		if !last {
			ew.printf(",")
		}
		ew.printf("\n")
	}
	ew.printf("{\n")
	field("schemaVersion", r.SchemaVersion, false)
	field("tool", r.Tool, false)
	field("benchmark", r.Benchmark, false)
	field("generatedAt", r.GeneratedAt, false)
	field("controls", orEmpty(r.Controls), false)
	if len(r.Results) == 0 {
		ew.printf("  \"results\": [],\n")
	} else {
		ew.printf("  \"results\": [\n")
		for i := range r.Results {
			ew.printf("    %s", ew.indented(&r.Results[i], "    "))
			if i < len(r.Results)-1 {
				ew.printf(",")
			}
			ew.printf("\n")
		}
		ew.printf("  ],\n")
	}
	field("summary", r.Summary, false)
	field("skipped", orEmpty(r.Skipped), false)
	field("problems", orEmpty(r.Problems), r.Waivers == nil && r.Fixed == nil)
	if r.Waivers != nil {
		field("waivers", r.Waivers, r.Fixed == nil)
	}
	if r.Fixed != nil {
		field("fixed", r.Fixed, true)
	}
	ew.printf("}\n")
	return ew.err
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// indented marshals v as encoding/json does inside an indented document at the given prefix. A
// failure is kept as the writer's error, so the report is refused rather than silently truncated.
func (e *errWriter) indented(v any, prefix string) []byte {
	enc, ok := e.enc[prefix]
	if !ok {
		// One encoder per indentation, reused for every value: a fleet report has tens of
		// thousands of results.
		enc = &encoder{}
		enc.Encoder = json.NewEncoder(&enc.buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent(prefix, "  ")
		e.enc[prefix] = enc
	}
	enc.buf.Reset()
	if err := enc.Encode(v); err != nil {
		if e.err == nil {
			e.err = err
		}
		return nil
	}
	return bytes.TrimRight(enc.buf.Bytes(), "\n")
}

type encoder struct {
	*json.Encoder
	buf bytes.Buffer
}
