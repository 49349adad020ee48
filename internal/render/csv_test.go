package render

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
)

func parseCSV(t *testing.T, out []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(out))
	r.FieldsPerRecord = len(csvHeader)
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	return rows
}

func TestCSVRows(t *testing.T) {
	for _, tt := range []struct {
		name   string
		report *finding.Report
	}{
		{"empty", emptyReport()},
		{"live", sampleReport()},
		{"iac", iacReport()},
		{"review", reviewReport()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, "csv", Options{}, tt.report)
			rows := parseCSV(t, out)
			if strings.Join(rows[0], ",") != "control,check_id,title,severity,status,waived,waiver_expires,baseline,resource_type,account,region,name,arn,root,file,location,reason,remediation" {
				t.Errorf("header = %v", rows[0])
			}
			if len(rows)-1 != len(tt.report.Results) {
				t.Fatalf("%d rows for %d results", len(rows)-1, len(tt.report.Results))
			}
			// First, middle and last results, field by field.
			var picks []int
			if n := len(tt.report.Results); n > 0 {
				picks = []int{0, n / 2, n - 1}
			}
			for _, i := range picks {
				res := tt.report.Results[i]
				row := map[string]string{}
				for k, name := range csvHeader {
					row[name] = rows[i+1][k]
				}
				want := map[string]string{
					"control": res.Control, "check_id": res.CheckID, "title": res.Title, "severity": res.Severity, "status": string(res.Status),
					"baseline": res.Baseline, "resource_type": res.Resource.Type, "account": res.Resource.Account, "region": res.Resource.Region,
					"name": res.Resource.Name, "arn": res.Resource.ARN, "root": res.Resource.Root, "file": res.Resource.File,
					"location": fileLine(res.Location), "reason": res.Reason, "remediation": res.Remediation,
				}
				for k, v := range want {
					if row[k] != csvCell(v) {
						t.Errorf("row %d %s = %q, want %q", i, k, row[k], csvCell(v))
					}
				}
			}
			// RFC 4180: every record ends in CRLF, and no bare LF ends a line.
			if len(out) > 0 && !bytes.HasSuffix(out, []byte("\r\n")) {
				t.Error("output does not end in CRLF")
			}
			if n, m := bytes.Count(out, []byte("\n")), bytes.Count(out, []byte("\r\n")); n != m {
				t.Errorf("%d line feeds, only %d after a carriage return", n, m)
			}
		})
	}
}

func TestCSVReview(t *testing.T) {
	rep := reviewReport()
	rows := parseCSV(t, render(t, "csv", Options{}, rep))
	col := map[string]int{}
	for i, name := range csvHeader {
		col[name] = i
	}
	var waived, hostile, located int
	for _, row := range rows[1:] {
		if row[col["waived"]] != "" {
			waived++
			if row[col["waived"]] != "log pipeline moves in Q1, SEC-42 <b>ok</b>" || row[col["waiver_expires"]] != "2027-03-31" || row[col["status"]] != "FAIL" {
				t.Errorf("waived row = %v", row)
			}
		}
		if strings.Contains(row[col["name"]], "<img src=x onerror=alert(1)>") {
			hostile++
			if row[col["name"]] != csvCell(hostileName) || row[col["file"]] != csvCell(hostileFile) {
				t.Errorf("hostile name or file changed: %q %q", row[col["name"]], row[col["file"]])
			}
			if row[col["location"]] != "" {
				located++
			}
			if r := row[col["reason"]]; strings.Contains(r, "injected") && !strings.Contains(r, "\n| injected | row |\n## Summary: 0 FAIL\\r\n=HYPERLINK") {
				t.Errorf("reason with line breaks = %q", r)
			}
		}
	}
	if waived != 1 || hostile != 5 || located != 5 {
		t.Errorf("waived rows %d (want 1), hostile rows %d (want 5), with a location %d (want 5)", waived, hostile, located)
	}
	out := string(render(t, "csv", Options{}, rep))
	for _, raw := range []string{"\x1b", "\x00", "\x07", "\u202e", "\xff"} {
		if strings.Contains(out, raw) {
			t.Errorf("CSV holds the raw character %q", raw)
		}
	}
}

func TestCSVCell(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "abc", "abc"},
		{"formula", "=1+1", "'=1+1"},
		{"plus", "+cmd", "'+cmd"},
		{"minus", "-2+3", "'-2+3"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\t=1", `'\t=1`},
		{"carriage return", "\r=1", `'\r=1`},
		{"formula later is text", "a=1", "a=1"},
		{"line breaks kept", "a\nb", "a\nb"},
		{"CRLF", "a\r\nb", "a\\r\nb"},
		{"escape sequence", "\x1b[31mred", `\x1b[31mred`},
		{"right-to-left override", "a\u202eb", `a\u202eb`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
		{"commas and quotes stay for the encoder", `a,"b"`, `a,"b"`},
		{"unicode", "ünï 名前", "ünï 名前"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := csvCell(tt.in); got != tt.want {
				t.Errorf("csvCell(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestCSVQuoting: commas, quotes and line breaks come back from a reader as one field each.
func TestCSVQuoting(t *testing.T) {
	rep := emptyReport()
	for _, name := range []string{`a,b`, `say "hi"`, "two\nlines", "=HYPERLINK(\"http://x\")", "last"} {
		rep.Results = append(rep.Results, finding.Result{Control: "5.4.1", Status: finding.Fail, Resource: finding.Resource{Type: finding.ResourceCluster, Name: name}})
	}
	rows := parseCSV(t, render(t, "csv", Options{}, rep))
	var names []string
	for _, row := range rows[1:] {
		names = append(names, row[11])
	}
	want := []string{`a,b`, `say "hi"`, "two\nlines", "'=HYPERLINK(\"http://x\")", "last"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("names = %q, want %q", names, want)
	}
}
