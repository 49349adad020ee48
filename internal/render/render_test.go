package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sampleReport is a small fixed report covering every status a live scan produces.
func sampleReport() *finding.Report {
	created := time.Date(2024, 11, 2, 10, 0, 0, 0, time.UTC)
	mk := func(name string, pub, priv bool, cidrs ...string) *model.Cluster {
		return &model.Cluster{Name: name, Account: "111111111111", Region: "us-east-1", Source: model.SourceAWS, Status: model.StatusActive,
			ARN: "arn:aws:eks:us-east-1:111111111111:cluster/" + name, CreatedAt: &created,
			EndpointPublicAccess: model.Explicit(pub), EndpointPrivateAccess: model.Explicit(priv), PublicAccessCIDRs: model.ExplicitList(cidrs...),
			EnabledLogTypes: model.ExplicitList("api", "audit"), AuthenticationMode: model.ExplicitString(model.AuthAPIAndConfigMap),
			SecretsKeyARN: model.ExplicitString("arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab")}
	}
	inv := &model.Inventory{
		Clusters: []*model.Cluster{
			mk("open", true, false, "0.0.0.0/0"),
			mk("private", false, true, "0.0.0.0/0"),
			mk("restricted", true, true, "203.0.113.0/24"),
			mk("broken", false, false),
		},
		Errors: []model.Error{{Account: "111111111111", Region: "eu-west-1", Operation: "eks:ListClusters", Code: "AccessDeniedException", Message: "AccessDeniedException: not authorized", AccessDenied: true}},
	}
	b := settingsBenchmark()
	rep := &finding.Report{SchemaVersion: finding.SchemaVersion, Tool: finding.Tool{Name: "eksguard", Version: "test"}, Benchmark: b.Ref(),
		GeneratedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Controls: controlIDs(b)}
	rep.Results = b.EvaluateInventory(inv)
	rep.Finish()
	return rep
}

// settingsBenchmark selects the controls of the cluster's own settings: the golden files are about
// how results render, and TestRegistryResults covers the registry's.
func settingsBenchmark() *benchmark.Benchmark {
	b, err := benchmark.Default().Select([]string{"2.1.1", "4.1.7", "5.3.1", "5.4.1", "5.4.2"}, nil)
	if err != nil {
		panic(err)
	}
	return b
}

func controlIDs(b *benchmark.Benchmark) []string {
	var out []string
	for _, c := range b.Evaluated() {
		out = append(out, c.ID)
	}
	return out
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test ./... -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file; run go test ./internal/render -update and review\n--- got\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		format string
		opts   Options
		file   string
	}{
		{"json", Options{}, "report.json"},
		{"table", Options{}, "report.txt"},
		{"table", Options{Color: true}, "report.color.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			w, err := New(tt.format, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := w.Write(&buf, sampleReport()); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, buf.Bytes())
		})
	}
}

// TestJSONContract checks the fixed members of the JSON report contract.
func TestJSONContract(t *testing.T) {
	w, _ := New("json", Options{})
	var buf bytes.Buffer
	if err := w.Write(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		SchemaVersion string `json:"schemaVersion"`
		Tool          struct{ Name, Version string }
		Benchmark     struct{ ID, Version string }
		Results       []struct {
			Control, Title, Status, Reason, Remediation string
			Resource                                    struct{ Type, Name, Region, Account, ARN string }
			Evidence                                    map[string]any
		}
		Summary map[string]int
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SchemaVersion != "2" || doc.Tool.Name != "eksguard" || doc.Benchmark.ID != "cis-eks" || doc.Benchmark.Version != "1.8.0" {
		t.Errorf("header = %+v", doc)
	}
	for _, k := range []string{"PASS", "FAIL", "UNKNOWN", "ERROR", "MANUAL"} {
		if _, ok := doc.Summary[k]; !ok {
			t.Errorf("summary lacks %s", k)
		}
	}
	if doc.Summary["FAIL"] != 7 || doc.Summary["PASS"] != 11 || doc.Summary["UNKNOWN"] != 2 || doc.Summary["ERROR"] != 5 {
		t.Errorf("summary = %v", doc.Summary)
	}
	for _, r := range doc.Results {
		if r.Evidence == nil {
			t.Errorf("%s %s: evidence is not an object", r.Resource.Name, r.Control)
		}
		if r.Status == "FAIL" && !strings.HasPrefix(r.Remediation, "aws eks update-cluster-config --region us-east-1 --name "+r.Resource.Name+" ") {
			t.Errorf("%s %s: remediation %q", r.Resource.Name, r.Control, r.Remediation)
		}
	}
	// null is allowed only for a boolean that is unknown; lists and objects are never null.
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.HasSuffix(strings.TrimRight(line, ","), "null") && !strings.Contains(line, `"endpointPublicAccess"`) && !strings.Contains(line, `"endpointPrivateAccess"`) {
			t.Errorf("null where [] or {} belongs: %s", line)
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := New("xml", Options{}); err == nil || !strings.Contains(err.Error(), `unknown format "xml"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestTableHasNoColourUnlessAsked(t *testing.T) {
	w, _ := New("table", Options{})
	var buf bytes.Buffer
	_ = w.Write(&buf, sampleReport())
	if strings.Contains(buf.String(), "\x1b[") {
		t.Error("plain table contains ANSI escapes")
	}
}
