package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// Hostile text that a scanned file or a server can put into a report: markup, a script end tag,
// Markdown links, mentions, table pipes, backticks, quotes, commas, a terminal escape, a
// right-to-left override, characters XML cannot carry, a byte that is not UTF-8, and plain unicode.
const (
	hostileName = "evil <img src=x onerror=alert(1)> | `tick` \"q\" 'a', [link](https://attacker.test) @admin #1 \x1b[31mred\x1b[0m \u202eevil ünïcødé 名前 </script><script>alert(2)</script>"
	hostileFile = "infra/we|ird `dir`/=cmd()\x00\x07\xff <b>x</b>.tf"
)

// reviewReport is a report with everything the review formats show besides verdicts: a waived
// failure, baseline states, fixed results, stale and expired waivers, a MANUAL result, input
// problems, a skipped region, and a declared cluster whose name, file and reason are hostile.
func reviewReport() *finding.Report {
	created := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	live := func(name string, pub, priv bool, cidrs ...string) *model.Cluster {
		return &model.Cluster{Name: name, Account: "222222222222", Region: "eu-central-1", Source: model.SourceAWS, Status: model.StatusActive,
			ARN: "arn:aws:eks:eu-central-1:222222222222:cluster/" + name, CreatedAt: &created,
			EndpointPublicAccess: model.Explicit(pub), EndpointPrivateAccess: model.Explicit(priv), PublicAccessCIDRs: model.ExplicitList(cidrs...),
			EnabledLogTypes: model.ExplicitList(model.LogTypes...), AuthenticationMode: model.ExplicitString(model.AuthAPI),
			SecretsKeyARN: model.ExplicitString("arn:aws:kms:eu-central-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab")}
	}
	payments := live("payments", true, false, "0.0.0.0/0")
	payments.EnabledLogTypes = model.ExplicitList("api")
	onprem := live("onprem", false, true)
	onprem.Connector = true
	inv := &model.Inventory{Clusters: []*model.Cluster{payments, live("ledger", false, true), onprem}}
	hostile := &model.Cluster{Name: hostileName, Source: model.SourceTerraform, Kind: "aws_eks_cluster", Loc: &model.Location{File: hostileFile, Line: 3},
		EnabledLogTypes: model.ExplicitList(model.LogTypes...), AuthenticationMode: model.ExplicitString(model.AuthAPI),
		SecretsKeyARN:         model.ExplicitString("arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
		EndpointPublicAccess:  model.Default(true, "AWS provider default"),
		EndpointPrivateAccess: model.Default(false, "AWS provider default"),
		PublicAccessCIDRs:     model.Strings{Values: []string{"0.0.0.0/0"}, Origin: model.OriginDefault, Detail: "AWS provider default"}}
	b := settingsBenchmark()
	rep := &finding.Report{SchemaVersion: finding.SchemaVersion, Tool: finding.Tool{Name: "eksguard", Version: "test"}, Benchmark: b.Ref(),
		GeneratedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Controls: controlIDs(b)}
	rep.Results = append(b.EvaluateInventory(inv), b.EvaluateCluster(hostile)...)
	fix := &finding.Fix{Description: "set endpoint_private_access = true, endpoint_public_access = false for " + hostileName,
		Edits: []finding.Edit{{File: hostileFile, Line: 7, Remove: 1, Insert: []string{"    endpoint_private_access = true # ``` </pre> |", "    endpoint_public_access  = false"}}}}
	for i := range rep.Results {
		res := &rep.Results[i]
		switch {
		case res.Resource.Name == "payments" && res.Control == "2.1.1":
			res.Waived = &finding.Waived{Reason: "log pipeline moves in Q1, SEC-42 <b>ok</b>", Expires: "2027-03-31", Entry: "0"}
		case res.Resource.Name == "payments" && res.Control == "5.4.1":
			res.Baseline = finding.BaselineUnchanged
		case res.Resource.Name == "payments" && res.Status == finding.Fail:
			res.Baseline = finding.BaselineNew
		case res.Resource.Name == hostileName && res.Status == finding.Fail:
			res.Baseline = finding.BaselineNew
			res.Fix, res.Remediation = fix, fix.Description
			if res.Control == "5.4.2" {
				res.Reason += "\n| injected | row |\n## Summary: 0 FAIL\r\n=HYPERLINK(\"https://attacker.test\")"
			}
		}
	}
	ledger := benchmark.ClusterResource(inv.Clusters[1])
	rep.Fixed = []finding.Ref{
		{Control: "5.4.1", Resource: ledger},
		{Control: "5.3.1", Resource: finding.Resource{Type: finding.ResourceCluster, Name: "retired", Region: "eu-central-1", Account: "222222222222", ARN: "arn:aws:eks:eu-central-1:222222222222:cluster/retired"}},
	}
	rep.Waivers = &finding.WaiverReport{Applied: 1,
		Stale:   []finding.WaiverRef{{Entry: "3", Control: "5.3.1", Reason: "cluster <b>retired</b> | gone", Expires: "2027-01-01"}},
		Expired: []finding.WaiverRef{{Entry: "infra/main.tf:12", CheckID: "eks-audit-logging", Reason: "temporary @ops", Expires: "2026-01-31"}},
	}
	rep.Problems = []finding.Problem{{File: hostileFile, Line: 9, Column: 2, Code: finding.ProblemSyntax, Message: "Unclosed configuration block `resource` <x>"}}
	rep.Skipped = []model.Skip{{Account: "222222222222", Region: "ap-east-1", Reason: "opt-in region not enabled"}}
	rep.Finish()
	return rep
}

func emptyReport() *finding.Report {
	r := &finding.Report{SchemaVersion: finding.SchemaVersion, Tool: finding.Tool{Name: "eksguard", Version: "test"}, Benchmark: benchmark.Default().Ref(),
		GeneratedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	r.Finish()
	return r
}

// render writes a report in a format, failing the test on an error.
func render(t *testing.T, format string, opts Options, r *finding.Report) []byte {
	t.Helper()
	w, err := New(format, opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.Bytes()
}

// newFormats are the formats of this file and its neighbours, for the tests they share.
var newFormats = []string{"junit", "csv", "markdown", "ocsf", "html"}

func TestNewFormatsGolden(t *testing.T) {
	reports := []struct {
		name    string
		report  func() *finding.Report
		command string
	}{
		{"report", sampleReport, "scan"},
		{"report.iac", iacReport, "iac"},
		{"report.review", reviewReport, "scan"},
	}
	ext := map[string]string{"junit": "junit.xml", "csv": "csv", "markdown": "md", "ocsf": "ocsf.json"}
	for _, rep := range reports {
		for _, format := range []string{"junit", "csv", "markdown", "ocsf"} {
			name := rep.name + "." + ext[format]
			t.Run(name, func(t *testing.T) {
				golden(t, name, render(t, format, Options{Command: rep.command}, rep.report()))
			})
		}
	}
}

// failAfter accepts n bytes, then fails every write.
type failAfter struct {
	n   int
	err error
}

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) <= f.n {
		f.n -= len(p)
		return len(p), nil
	}
	k := f.n
	f.n = 0
	return k, f.err
}

// TestNewFormatsReturnWriteErrors: a full disk or a closed pipe is an error, never a short report
// that looks complete, wherever in the output the write fails.
func TestNewFormatsReturnWriteErrors(t *testing.T) {
	full := errors.New("no space left on device")
	for _, format := range newFormats {
		whole := len(render(t, format, Options{}, reviewReport()))
		for _, at := range []int{0, 1, whole / 2, whole - 1} {
			t.Run(fmt.Sprintf("%s/%d", format, at), func(t *testing.T) {
				w, _ := New(format, Options{})
				if err := w.Write(&failAfter{n: at, err: full}, reviewReport()); !errors.Is(err, full) {
					t.Errorf("err = %v, want %v", err, full)
				}
			})
		}
	}
}

// TestNewFormatsRegistered: each format is reachable by name.
func TestNewFormatsRegistered(t *testing.T) {
	have := strings.Join(Formats(), " ")
	for _, f := range newFormats {
		if !strings.Contains(" "+have+" ", " "+f+" ") {
			t.Errorf("format %s is not registered (have %s)", f, have)
		}
	}
}

// The JUnit shape CI systems read (the Ant/Jenkins schema): which attributes each element must
// and may have, and which children it may hold.
var junitSchema = map[string]struct {
	required, optional []string
	children           []string
}{
	"testsuites": {[]string{"name", "tests", "failures", "errors"}, []string{"skipped", "disabled", "time", "timestamp"}, []string{"testsuite"}},
	"testsuite":  {[]string{"name", "tests", "failures", "errors"}, []string{"skipped", "disabled", "time", "timestamp", "id", "package", "hostname", "file", "log", "url", "version", "group"}, []string{"properties", "testcase", "system-out", "system-err"}},
	"properties": {nil, nil, []string{"property"}},
	"property":   {[]string{"name", "value"}, nil, nil},
	"testcase":   {[]string{"name", "classname"}, []string{"time", "assertions", "status", "file", "line"}, []string{"skipped", "error", "failure", "system-out", "system-err"}},
	"failure":    {nil, []string{"message", "type"}, nil},
	"error":      {nil, []string{"message", "type"}, nil},
	"skipped":    {nil, []string{"message"}, nil},
}

// checkJUnitShape walks the document and reports every element, attribute or nesting the schema
// does not allow, every missing required attribute, and numbers that are not numbers.
func checkJUnitShape(t *testing.T, out []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(out))
	var stack []string
	roots := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := tok.Name.Local
			rule, ok := junitSchema[name]
			if !ok {
				t.Errorf("unexpected element <%s>", name)
				continue
			}
			if len(stack) == 0 {
				roots++
				if name != "testsuites" {
					t.Errorf("root is <%s>, want <testsuites>", name)
				}
			} else if parent := stack[len(stack)-1]; !contains(junitSchema[parent].children, name) {
				t.Errorf("<%s> inside <%s>", name, parent)
			}
			have := map[string]string{}
			for _, a := range tok.Attr {
				have[a.Name.Local] = a.Value
				if !contains(rule.required, a.Name.Local) && !contains(rule.optional, a.Name.Local) {
					t.Errorf("<%s> has attribute %s", name, a.Name.Local)
				}
			}
			for _, a := range rule.required {
				if _, ok := have[a]; !ok {
					t.Errorf("<%s> lacks attribute %s", name, a)
				}
			}
			for _, a := range []string{"tests", "failures", "errors", "skipped", "id"} {
				if v, ok := have[a]; ok {
					if n, err := strconv.Atoi(v); err != nil || n < 0 {
						t.Errorf("<%s %s=%q> is not a count", name, a, v)
					}
				}
			}
			if v, ok := have["time"]; ok {
				if _, err := strconv.ParseFloat(v, 64); err != nil {
					t.Errorf("<%s time=%q> is not a number", name, v)
				}
			}
			if v, ok := have["timestamp"]; ok {
				if _, err := time.Parse("2006-01-02T15:04:05", v); err != nil {
					t.Errorf("<%s timestamp=%q> is not the schema's ISO 8601 form", name, v)
				}
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && len(junitSchema[stack[len(stack)-1]].children) > 0 && strings.TrimSpace(string(tok)) != "" {
				t.Errorf("text %q inside <%s>", tok, stack[len(stack)-1])
			}
		}
	}
	if roots != 1 {
		t.Errorf("%d root elements", roots)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

type junitDoc struct {
	XMLName   xml.Name `xml:"testsuites"`
	Name      string   `xml:"name,attr"`
	Timestamp string   `xml:"timestamp,attr"`
	Tests     int      `xml:"tests,attr"`
	Failures  int      `xml:"failures,attr"`
	Errors    int      `xml:"errors,attr"`
	Skipped   int      `xml:"skipped,attr"`
	Suites    []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",chardata"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func parseJUnit(t *testing.T, out []byte) junitDoc {
	t.Helper()
	var d junitDoc
	if err := xml.Unmarshal(out, &d); err != nil {
		t.Fatalf("JUnit does not parse: %v", err)
	}
	return d
}

// TestJUnitStructure checks every report against the schema's shape, and the counts of every suite
// and of the whole against the report's own summary.
func TestJUnitStructure(t *testing.T) {
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
			out := render(t, "junit", Options{}, tt.report)
			checkJUnitShape(t, out)
			d := parseJUnit(t, out)
			sum := finding.Count(tt.report.Results)
			if d.Tests != len(tt.report.Results) || d.Failures != sum[finding.Fail] || d.Errors != sum[finding.Error] ||
				d.Skipped != sum[finding.Unknown]+sum[finding.Manual]+sum[finding.WaivedKey] {
				t.Errorf("totals tests=%d failures=%d errors=%d skipped=%d; summary %v", d.Tests, d.Failures, d.Errors, d.Skipped, sum)
			}
			if len(d.Suites) < len(tt.report.Controls) {
				t.Errorf("%d suites for %d evaluated controls", len(d.Suites), len(tt.report.Controls))
			}
			var tests, failures, errs, skipped int
			i := 0
			for _, s := range d.Suites {
				var f, e, k int
				for _, c := range s.Cases {
					if !strings.HasPrefix(s.Name, c.Classname+" ") || c.Name == "" {
						t.Errorf("suite %q has case classname=%q name=%q", s.Name, c.Classname, c.Name)
					}
					res := findResult(tt.report, c.Classname, c.Name)
					if res == nil {
						t.Errorf("case %s %q matches no result", c.Classname, c.Name)
						continue
					}
					children := 0
					for _, p := range []bool{c.Failure != nil, c.Error != nil, c.Skipped != nil} {
						if p {
							children++
						}
					}
					switch {
					case !res.Counted():
						k++
						if c.Skipped == nil || !strings.HasPrefix(c.Skipped.Message, "waived") || children != 1 {
							t.Errorf("%s %s: waived result is not skipped as waived: %+v", c.Classname, c.Name, c)
						}
					case res.Status == finding.Fail:
						f++
						if c.Failure == nil || c.Failure.Type != "FAIL" || c.Failure.Message == "" || children != 1 {
							t.Errorf("%s %s: FAIL is not a failure: %+v", c.Classname, c.Name, c)
						} else if res.Remediation != "" && !strings.Contains(c.Failure.Body, "Remediation: ") {
							t.Errorf("%s %s: failure body lacks the remediation:\n%s", c.Classname, c.Name, c.Failure.Body)
						}
					case res.Status == finding.Error:
						e++
						if c.Error == nil || c.Error.Type != "ERROR" || children != 1 {
							t.Errorf("%s %s: ERROR is not an error: %+v", c.Classname, c.Name, c)
						}
					case res.Status == finding.Unknown, res.Status == finding.Manual:
						k++
						if c.Skipped == nil || !strings.HasPrefix(c.Skipped.Message, string(res.Status)+": ") || children != 1 {
							t.Errorf("%s %s: %s is not skipped with its status: %+v", c.Classname, c.Name, res.Status, c)
						}
					default:
						if children != 0 {
							t.Errorf("%s %s: PASS has a child: %+v", c.Classname, c.Name, c)
						}
					}
					i++
				}
				if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Skipped != k {
					t.Errorf("suite %q counts tests=%d failures=%d errors=%d skipped=%d, children say %d %d %d %d", s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), f, e, k)
				}
				tests, failures, errs, skipped = tests+s.Tests, failures+s.Failures, errs+s.Errors, skipped+s.Skipped
			}
			if tests != d.Tests || failures != d.Failures || errs != d.Errors || skipped != d.Skipped {
				t.Errorf("suites add up to %d/%d/%d/%d, root says %d/%d/%d/%d", tests, failures, errs, skipped, d.Tests, d.Failures, d.Errors, d.Skipped)
			}
			if i != len(tt.report.Results) {
				t.Errorf("%d test cases for %d results", i, len(tt.report.Results))
			}
		})
	}
}

// findResult finds the result a test case names, by control and resource identity as written
// (escaped the way the writer escapes).
func findResult(r *finding.Report, control, name string) *finding.Result {
	for i := range r.Results {
		res := &r.Results[i]
		if res.Control == control && unescapeXMLish(resourceIdentity(res.Resource)) == name {
			return res
		}
	}
	return nil
}

// unescapeXMLish is what a parser gives back for a string the writer escaped: the same string,
// with characters XML cannot carry written as Go escapes.
func unescapeXMLish(s string) string {
	var d struct {
		V string `xml:"v,attr"`
	}
	if err := xml.Unmarshal([]byte(`<x v="`+xmlAttr(s)+`"/>`), &d); err != nil {
		return "unparseable: " + err.Error()
	}
	return d.V
}

func TestJUnitNames(t *testing.T) {
	d := parseJUnit(t, render(t, "junit", Options{}, iacReport()))
	if d.Suites[0].Name != "2.1.1 Enable audit Logs" {
		t.Errorf("first suite = %q", d.Suites[0].Name)
	}
	var names []string
	for _, c := range d.Suites[len(d.Suites)-1].Cases {
		names = append(names, c.Name)
	}
	// Report order: by resource name, as the report sorts.
	want := []string{"stacks/my stack.yaml Cluster", "infra/main.tf aws_eks_cluster.open", "/srv/shared/eks.tf aws_eks_cluster.private", "eksctl/dev.yaml dev"}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("IaC case names =\n%s\nwant\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	live := parseJUnit(t, render(t, "junit", Options{}, sampleReport()))
	first := live.Suites[0].Cases[0].Name
	if first != "111111111111/eu-west-1" {
		t.Errorf("first live case = %q, want the region that could not be read", first)
	}
	if got := live.Suites[0].Cases[1].Name; got != "arn:aws:eks:us-east-1:111111111111:cluster/broken" {
		t.Errorf("second live case = %q, want the cluster ARN", got)
	}
}

func TestResourceIdentity(t *testing.T) {
	tests := []struct {
		name string
		res  finding.Resource
		want string
	}{
		{"live cluster", finding.Resource{Type: finding.ResourceCluster, Name: "a", Region: "r", Account: "1", ARN: "arn:x"}, "arn:x"},
		{"iac in its folder", finding.Resource{Type: finding.ResourceCluster, Name: "aws_eks_cluster.a", Root: "infra", File: "infra/main.tf"}, "infra/main.tf aws_eks_cluster.a"},
		{"module from another root", finding.Resource{Type: finding.ResourceCluster, Name: "module.eks.aws_eks_cluster.this", Root: "envs/prod", File: "modules/eks/main.tf"}, "modules/eks/main.tf module.eks.aws_eks_cluster.this (root envs/prod)"},
		{"region", finding.Resource{Type: finding.ResourceRegion, Name: "eu-west-1", Region: "eu-west-1", Account: "1"}, "1/eu-west-1"},
		{"account", finding.Resource{Type: finding.ResourceAccount, Name: "1", Account: "1"}, "1"},
		{"cluster without ARN", finding.Resource{Type: finding.ResourceCluster, Name: "c", Region: "r", Account: "1"}, "1/r/c"},
		{"nothing but a type", finding.Resource{Type: finding.ResourceFile}, "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := resourceIdentity(tt.res); got != tt.want {
				t.Errorf("resourceIdentity = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestXMLEscape(t *testing.T) {
	tests := []struct {
		name, in, attr, text string
	}{
		{"plain", "abc", "abc", "abc"},
		{"markup", `<a href="x">&'`, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;", "&lt;a href=\"x\"&gt;&amp;'"},
		{"line breaks", "a\nb\tc\rd", "a&#xA;b&#x9;c&#xD;d", "a\nb\tc&#xD;d"},
		{"invalid in XML 1.0", "a\x00b\x08c\x1b[0m", `a\x00b\x08c\x1b[0m`, `a\x00b\x08c\x1b[0m`},
		{"allowed but misleading", "\x7f\u0085\u202eevil\u2066", `\x7f\x85\u202eevil\u2066`, `\x7f\x85\u202eevil\u2066`},
		{"not characters", "\uFFFE\uFFFF", `\ufffe\uffff`, `\ufffe\uffff`},
		{"invalid UTF-8", "a\xffb", `a\xffb`, `a\xffb`},
		{"unicode kept", "ünï 名前 😀", "ünï 名前 😀", "ünï 名前 😀"},
		{"CDATA end", "]]>", "]]&gt;", "]]&gt;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := xmlAttr(tt.in); got != tt.attr {
				t.Errorf("xmlAttr(%q) = %q, want %q", tt.in, got, tt.attr)
			}
			if got := xmlText(tt.in); got != tt.text {
				t.Errorf("xmlText(%q) = %q, want %q", tt.in, got, tt.text)
			}
			// Whatever the input, the result parses, and line breaks and tabs survive in both places.
			doc := `<x a="` + xmlAttr(tt.in) + `">` + xmlText(tt.in) + `</x>`
			var v struct {
				A    string `xml:"a,attr"`
				Text string `xml:",chardata"`
			}
			if err := xml.Unmarshal([]byte(doc), &v); err != nil {
				t.Fatalf("%q does not parse: %v", doc, err)
			}
			if v.A != v.Text {
				t.Errorf("attribute %q and text %q read back differently", v.A, v.Text)
			}
			if strings.ContainsAny(tt.in, "\n\t\r") && !strings.ContainsAny(v.A, "\n\t\r") {
				t.Errorf("line breaks lost: %q", v.A)
			}
		})
	}
}

// TestJUnitHostile: a hostile name, file and reason come back from a parser exactly as written,
// bar the characters XML cannot carry, which are visible escapes.
func TestJUnitHostile(t *testing.T) {
	out := render(t, "junit", Options{}, reviewReport())
	checkJUnitShape(t, out)
	d := parseJUnit(t, out)
	found := false
	for _, s := range d.Suites {
		for _, c := range s.Cases {
			if !strings.Contains(c.Name, "<img src=x onerror=alert(1)>") {
				continue
			}
			found = true
			if !strings.Contains(c.Name, `=cmd()\x00\x07\xff <b>x</b>.tf`) || !strings.Contains(c.Name, `\x1b[31mred`) {
				t.Errorf("hostile name read back as %q", c.Name)
			}
			if c.Classname == "5.4.2" && (c.Failure == nil || !strings.Contains(c.Failure.Message, "\n| injected | row |\n## Summary: 0 FAIL\r\n=HYPERLINK")) {
				t.Errorf("the reason's line breaks did not survive: %+v", c.Failure)
			}
			if c.Failure != nil && !strings.Contains(c.Failure.Body, "+    endpoint_private_access = true # ``` </pre> |") {
				t.Errorf("failure body lacks the edit:\n%s", c.Failure.Body)
			}
		}
	}
	if !found {
		t.Fatal("no test case for the hostile cluster")
	}
	for _, bad := range []string{"\x00", "\x07", "\x1b", "\xff", "\u202e"} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("output holds the raw byte %q", bad)
		}
	}
}

func TestJUnitWaivedAndManual(t *testing.T) {
	d := parseJUnit(t, render(t, "junit", Options{}, reviewReport()))
	var waived, manual int
	for _, s := range d.Suites {
		for _, c := range s.Cases {
			if c.Skipped == nil {
				continue
			}
			switch {
			case c.Skipped.Message == "waived: log pipeline moves in Q1, SEC-42 <b>ok</b> (expires 2027-03-31)":
				waived++
				if !strings.Contains(c.Skipped.Body, "Status: FAIL") || !strings.Contains(c.Skipped.Body, "Waiver: entry 0: waived: ") {
					t.Errorf("waived body lacks the verdict or the waiver entry:\n%s", c.Skipped.Body)
				}
			case strings.HasPrefix(c.Skipped.Message, "MANUAL: registered (EKS Connector) cluster"):
				manual++
			}
		}
	}
	if waived != 1 || manual != 5 {
		t.Errorf("waived = %d (want 1), manual = %d (want one per evaluated control, 5)", waived, manual)
	}
}

// BenchmarkNewFormats writes a 10,000-result report in each format (go test -bench NewFormats).
func BenchmarkNewFormats(b *testing.B) {
	rep := manyFailures(10000, 20, false)
	for _, format := range newFormats {
		b.Run(format, func(b *testing.B) {
			w, err := New(format, Options{Command: "iac"})
			if err != nil {
				b.Fatal(err)
			}
			var n int64
			for i := 0; i < b.N; i++ {
				c := &countingWriter{}
				if err := w.Write(c, rep); err != nil {
					b.Fatal(err)
				}
				n = c.n
			}
			b.ReportMetric(float64(n), "bytes/report")
		})
	}
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
