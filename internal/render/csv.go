package render

import (
	"bufio"
	"encoding/csv"
	"io"
	"strings"

	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/finding"
)

// CSV as RFC 4180 has it, for spreadsheets and scripts: UTF-8 without a byte order mark, CRLF line
// ends, a header row, then one row per result in report order (passes included). Fields holding a
// comma, a quote or a line break are quoted, quotes doubled.
//
// Two things make a cell differ from the JSON report, both so that opening or printing the file is
// safe. A value that begins with = + - @, a tab or a carriage return gets a leading single quote, so
// a spreadsheet shows it as text instead of running it as a formula (CSV injection); then a control
// character other than a newline (tab and carriage return included), a bidirectional formatting
// character or a byte that is not UTF-8 is written as a Go escape (\t, \x1b, \u202e, \xff), as the
// table format does, so the file cannot drive a terminal it is printed on. A newline inside a value
// is kept (the field is quoted) and, like every line end, written as CRLF.

func init() { register("csv", func(Options) Writer { return csvWriter{} }) }

type csvWriter struct{}

// csvHeader names the columns; the order is part of the format's contract.
var csvHeader = []string{
	"control", "check_id", "title", "severity", "status", "waived", "waiver_expires", "baseline",
	"resource_type", "account", "region", "name", "arn", "root", "file", "location", "reason", "remediation",
}

func (csvWriter) Write(w io.Writer, r *finding.Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	row := make([]string, len(csvHeader))
	for i := range r.Results {
		res := &r.Results[i]
		waived, expires := "", ""
		if res.Waived != nil {
			// A waiver without a reason still shows that the result was waived.
			waived, expires = res.Waived.Reason, res.Waived.Expires
			if waived == "" {
				waived = "waived"
			}
		}
		copy(row, []string{
			res.Control, res.CheckID, res.Title, res.Severity, string(res.Status), waived, expires, res.Baseline,
			res.Resource.Type, res.Resource.Account, res.Resource.Region, res.Resource.Name, res.Resource.ARN,
			res.Resource.Root, res.Resource.File, fileLine(res.Location), res.Reason, res.Remediation,
		})
		for j := range row {
			row[j] = csvCell(row[j])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// csvCell makes one value safe to open and to print: a leading quote on anything a spreadsheet would
// take for a formula (judged on the value as it is), then escaped as escape.Lines does (line breaks
// kept, tabs and carriage returns written as \t and \r).
func csvCell(s string) string {
	guard := s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
	s = escape.Lines(s)
	if guard {
		return "'" + s
	}
	return s
}
