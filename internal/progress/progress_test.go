package progress

import (
	"bytes"
	"strings"
	"testing"
)

func TestBarCounts(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf)
	b.AddTotal(2, 0, 0)
	b.AddTotal(0, 4, 10)
	b.Done(0, 1, 5, 1)
	b.Done(1, 0, 0, 0)
	b.Finish()
	out := buf.String()
	last := out[strings.LastIndex(out, "\r"):]
	for _, want := range []string{"accounts 1/2", "regions 1/4", "clusters 5/10", "errors 1", "████████████"} {
		if !strings.Contains(last, want) {
			t.Errorf("final line %q lacks %q", last, want)
		}
	}
	if !strings.HasSuffix(out, "\n") {
		t.Error("Finish did not end the line")
	}
}
