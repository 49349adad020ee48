package render

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// What OCSF 1.4.0 requires of a Compliance Finding, and the enumerations it allows, as the schema's
// compliance_finding class (extending finding and base_event), its objects and the cloud profile
// define them. Captions must match their ids.
var (
	ocsfRequired = []string{"activity_id", "category_uid", "class_uid", "compliance", "finding_info", "metadata", "severity_id", "time", "type_uid", "cloud"}
	ocsfEnums    = map[string]map[float64]string{
		"severity_id": {0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical", 6: "Fatal", 99: "Other"},
		"status_id":   {0: "Unknown", 1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved", 5: "Archived", 99: "Other"},
		"activity_id": {0: "Unknown", 1: "Create", 2: "Update", 3: "Close", 99: "Other"},
	}
	ocsfComplianceEnum = map[float64]string{0: "Unknown", 1: "Pass", 2: "Warning", 3: "Fail", 99: "Other"}
	ocsfSiblings       = map[string]string{"severity_id": "severity", "status_id": "status", "activity_id": "activity_name"}
)

func parseOCSF(t *testing.T, out []byte) []map[string]any {
	t.Helper()
	var events []map[string]any
	if err := json.Unmarshal(out, &events); err != nil {
		t.Fatalf("OCSF is not a JSON array of objects: %v", err)
	}
	return events
}

func obj(t *testing.T, v any, path string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is %T, want an object", path, v)
	}
	return m
}

// checkOCSF checks one event against the class: required attributes, their types and enumerations,
// and the required attributes of the objects it holds.
func checkOCSF(t *testing.T, ev map[string]any, generated time.Time) {
	t.Helper()
	for _, k := range ocsfRequired {
		if _, ok := ev[k]; !ok {
			t.Errorf("event lacks required %s", k)
		}
	}
	if ev["class_uid"] != 2003.0 || ev["category_uid"] != 2.0 || ev["class_name"] != "Compliance Finding" || ev["category_name"] != "Findings" {
		t.Errorf("class = %v/%v %v/%v", ev["class_uid"], ev["class_name"], ev["category_uid"], ev["category_name"])
	}
	if ev["type_uid"] != ev["class_uid"].(float64)*100+ev["activity_id"].(float64) || ev["type_uid"] != 200301.0 || ev["type_name"] != "Compliance Finding: Create" {
		t.Errorf("type_uid %v is not class_uid*100+activity_id", ev["type_uid"])
	}
	for id, enum := range ocsfEnums {
		v, _ := ev[id].(float64)
		caption, ok := enum[v]
		if !ok || ev[ocsfSiblings[id]] != caption {
			t.Errorf("%s = %v (%v), not in the enumeration or caption wrong", id, ev[id], ev[ocsfSiblings[id]])
		}
	}
	if ms := generated.UnixMilli(); ev["time"] != float64(ms) {
		t.Errorf("time = %v, want %d ms", ev["time"], ms)
	}
	c := obj(t, ev["compliance"], "compliance")
	if std, _ := c["standards"].([]any); len(std) != 1 || std[0] != "CIS Amazon EKS Benchmark v1.8.0" {
		t.Errorf("compliance.standards = %v", c["standards"])
	}
	if req, _ := c["requirements"].([]any); len(req) != 1 || req[0] != c["control"] {
		t.Errorf("compliance.requirements = %v, control %v", c["requirements"], c["control"])
	}
	if caption, ok := ocsfComplianceEnum[c["status_id"].(float64)]; !ok || (c["status_id"] != 99.0 && c["status"] != caption) {
		t.Errorf("compliance status %v/%v", c["status_id"], c["status"])
	}
	fi := obj(t, ev["finding_info"], "finding_info")
	if uid, _ := fi["uid"].(string); !strings.HasPrefix(uid, "eksguard-") || len(uid) != len("eksguard-")+32 {
		t.Errorf("finding_info.uid = %v", fi["uid"])
	}
	if fi["title"] == "" || fi["created_time"] != ev["time"] {
		t.Errorf("finding_info = %v", fi)
	}
	md := obj(t, ev["metadata"], "metadata")
	p := obj(t, md["product"], "metadata.product")
	if md["version"] != "1.4.0" || p["name"] != "eksguard" || p["vendor_name"] == "" {
		t.Errorf("metadata = %v", md)
	}
	if prof, _ := md["profiles"].([]any); len(prof) != 1 || prof[0] != "cloud" {
		t.Errorf("metadata.profiles = %v; the cloud attribute is required only with the cloud profile", md["profiles"])
	}
	cl := obj(t, ev["cloud"], "cloud")
	if cl["provider"] != "AWS" {
		t.Errorf("cloud.provider = %v", cl["provider"])
	}
	if a, ok := cl["account"]; ok {
		if acc := obj(t, a, "cloud.account"); acc["uid"] == "" || acc["type_id"] != 10.0 || acc["type"] != "AWS Account" {
			t.Errorf("cloud.account = %v", acc)
		}
	}
	res, _ := ev["resources"].([]any)
	if len(res) != 1 {
		t.Fatalf("resources = %v", ev["resources"])
	}
	if r := obj(t, res[0], "resources[0]"); r["uid"] == "" && r["name"] == "" {
		t.Errorf("resource has neither uid nor name: %v", r)
	}
	if rem, ok := ev["remediation"]; ok && obj(t, rem, "remediation")["desc"] == "" {
		t.Errorf("remediation without desc: %v", rem)
	}
	if _, ok := obj(t, ev["unmapped"], "unmapped")["evidence"].(map[string]any); !ok {
		t.Errorf("unmapped.evidence is not an object: %v", ev["unmapped"])
	}
}

func TestOCSFRequired(t *testing.T) {
	for _, tt := range []struct {
		name   string
		report *finding.Report
	}{
		{"live", sampleReport()},
		{"iac", iacReport()},
		{"review", reviewReport()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			events := parseOCSF(t, render(t, "ocsf", Options{}, tt.report))
			if len(events) != len(tt.report.Results) {
				t.Fatalf("%d events for %d results", len(events), len(tt.report.Results))
			}
			uids := map[string]bool{}
			for i, ev := range events {
				t.Run(fmt.Sprint(i), func(t *testing.T) { checkOCSF(t, ev, tt.report.GeneratedAt) })
				uid := obj(t, ev["finding_info"], "finding_info")["uid"].(string)
				if uids[uid] {
					t.Errorf("event %d repeats uid %s", i, uid)
				}
				uids[uid] = true
			}
		})
	}
}

func TestOCSFEmpty(t *testing.T) {
	if out := string(render(t, "ocsf", Options{}, emptyReport())); out != "[]\n" {
		t.Errorf("empty report = %q, want []", out)
	}
}

// TestOCSFStatuses: each verdict, waived and fixed result maps as documented.
func TestOCSFStatuses(t *testing.T) {
	rep := reviewReport()
	live := sampleReport()
	type key struct{ control, name string }
	events := map[key]map[string]any{}
	for _, r := range []*finding.Report{rep, live} {
		evs := parseOCSF(t, render(t, "ocsf", Options{}, r))
		for i, ev := range evs {
			events[key{r.Results[i].Control, r.Results[i].Resource.Name}] = ev
		}
	}
	tests := []struct {
		name             string
		key              key
		statusID         float64
		complianceID     float64
		compliance, code string
		severityID       float64
	}{
		{"PASS", key{"5.4.1", "private"}, 1, 1, "Pass", "PASS", 1},
		{"FAIL", key{"5.4.1", "open"}, 1, 3, "Fail", "FAIL", 4},
		{"UNKNOWN", key{"5.4.2", "broken"}, 1, 2, "Warning", "UNKNOWN", 3},
		{"ERROR", key{"5.4.1", "eu-west-1"}, 1, 99, "Error", "ERROR", 4},
		{"MANUAL", key{"2.1.1", "onprem"}, 1, 99, "Manual", "MANUAL", 3},
		{"waived FAIL is suppressed", key{"2.1.1", "payments"}, 3, 3, "Fail", "FAIL", 3},
		{"PASS fixed since the baseline is resolved", key{"5.4.1", "ledger"}, 4, 1, "Pass", "PASS", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, ok := events[tt.key]
			if !ok {
				t.Fatalf("no event for %v", tt.key)
			}
			c := ev["compliance"].(map[string]any)
			if ev["status_id"] != tt.statusID || c["status_id"] != tt.complianceID || c["status"] != tt.compliance ||
				c["status_code"] != tt.code || ev["status_code"] != tt.code || ev["severity_id"] != tt.severityID {
				t.Errorf("status_id %v, compliance %v/%v/%v, status_code %v, severity_id %v",
					ev["status_id"], c["status_id"], c["status"], c["status_code"], ev["status_code"], ev["severity_id"])
			}
		})
	}
	waived := events[key{"2.1.1", "payments"}]
	if waived["comment"] != "waived: log pipeline moves in Q1, SEC-42 <b>ok</b> (expires 2027-03-31)" {
		t.Errorf("comment = %v", waived["comment"])
	}
	if w := waived["unmapped"].(map[string]any)["waived"].(map[string]any); w["entry"] != "0" || w["expires"] != "2027-03-31" {
		t.Errorf("unmapped.waived = %v", w)
	}
	unchanged := events[key{"5.4.1", "payments"}]["finding_info"].(map[string]any)
	if _, ok := unchanged["first_seen_time"]; ok {
		t.Error("a failure the baseline had says it was first seen in this run")
	}
	if _, ok := events[key{"5.4.2", "payments"}]["finding_info"].(map[string]any)["first_seen_time"]; !ok {
		t.Error("a new failure has no first_seen_time")
	}
}

// TestOCSFUIDStable: the uid follows the control and the resource, not the run, the line or the
// verdict.
func TestOCSFUIDStable(t *testing.T) {
	b := finding.Benchmark{ID: "cis-eks", Version: "1.8.0"}
	base := finding.Result{Control: "5.4.1", Status: finding.Fail, Reason: "open",
		Resource: finding.Resource{Type: finding.ResourceCluster, Name: "aws_eks_cluster.a", Root: "infra", File: "infra/main.tf"},
		Location: &model.Location{File: "infra/main.tf", Line: 3}}
	change := func(f func(*finding.Result)) finding.Result {
		r := base
		f(&r)
		return r
	}
	tests := []struct {
		name string
		r    finding.Result
		same bool
	}{
		{"another line and reason", change(func(r *finding.Result) { r.Location = &model.Location{File: "infra/main.tf", Line: 30}; r.Reason = "x" }), true},
		{"now passing", change(func(r *finding.Result) { r.Status = finding.Pass }), true},
		{"another control", change(func(r *finding.Result) { r.Control = "5.4.2" }), false},
		{"another name", change(func(r *finding.Result) { r.Resource.Name = "aws_eks_cluster.b" }), false},
		{"another root", change(func(r *finding.Result) { r.Resource.Root = "envs/prod" }), false},
		{"another file", change(func(r *finding.Result) { r.Resource.File = "infra/other.tf" }), false},
		{"another account", change(func(r *finding.Result) { r.Resource.Account = "1" }), false},
	}
	want := ocsfUID(b, &base)
	if again := ocsfUID(b, &base); again != want {
		t.Fatalf("uid changes between calls: %s %s", want, again)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ocsfUID(b, &tt.r) == want; got != tt.same {
				t.Errorf("same uid = %v, want %v", got, tt.same)
			}
		})
	}
	// Across two runs a day apart, every uid is the same.
	first, second := sampleReport(), sampleReport()
	second.GeneratedAt = second.GeneratedAt.Add(24 * time.Hour)
	a, c := parseOCSF(t, render(t, "ocsf", Options{}, first)), parseOCSF(t, render(t, "ocsf", Options{}, second))
	for i := range a {
		if a[i]["finding_info"].(map[string]any)["uid"] != c[i]["finding_info"].(map[string]any)["uid"] || a[i]["time"] == c[i]["time"] {
			t.Errorf("event %d: uid differs between runs, or time does not", i)
		}
	}
}

// TestOCSFHostile: hostile text is data: the JSON parses and gives it back.
func TestOCSFHostile(t *testing.T) {
	rep := reviewReport()
	events := parseOCSF(t, render(t, "ocsf", Options{}, rep))
	n := 0
	for i, ev := range events {
		if rep.Results[i].Resource.Name != hostileName {
			continue
		}
		n++
		r := ev["resources"].([]any)[0].(map[string]any)
		if r["name"] != hostileName || !strings.HasPrefix(r["uid"].(string), "infra/we|ird `dir`/=cmd()\x00\x07") {
			t.Errorf("resource = %v", r)
		}
	}
	if n != 5 {
		t.Errorf("%d events for the hostile cluster, want 5", n)
	}
}
