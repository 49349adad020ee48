package render

import (
	"encoding/json"
	"io"

	"github.com/eksguard/eksguard/internal/finding"
)

func init() { register("json", func(Options) Writer { return jsonWriter{} }) }

type jsonWriter struct{}

func (jsonWriter) Write(w io.Writer, r *finding.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
