package waiver

import (
	"strings"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

const goodFile = `# reviewed by the platform team
waivers:
  - control: "5.4.2"
    resource: "arn:aws:eks:us-east-1:111111111111:cluster/analytics"
    reason: "allowlisted by design, reviewed 2026-10"
    expires: 2027-06-30
  - check: EKS-Audit-Logging
    account: "2222*"
    region: eu-*
    reason: org trail
    expires: "2026-12-31"
  - control: 5.3.1
    file: infra/*
    address: module.eks.*
    reason: key rotation project
    expires: 2027-01-15
`

func TestParse(t *testing.T) {
	for name, data := range map[string]string{
		"plain":    goodFile,
		"bom+crlf": "\ufeff" + strings.ReplaceAll(goodFile, "\n", "\r\n"),
	} {
		t.Run(name, func(t *testing.T) {
			ws, err := Parse("w.yaml", []byte(data))
			if err != nil {
				t.Fatal(err)
			}
			if len(ws) != 3 {
				t.Fatalf("got %d waivers", len(ws))
			}
			if ws[0].Control != "5.4.2" || ws[0].Entry != "0" || ws[0].Line != 3 || ws[0].ExpiresText() != "2027-06-30" {
				t.Errorf("first: %+v", ws[0])
			}
			if ws[1].CheckID != "eks-audit-logging" || ws[1].Account != "2222*" || ws[1].Entry != "1" {
				t.Errorf("middle: %+v", ws[1])
			}
			if ws[2].Control != "5.3.1" || ws[2].FilePattern != "infra/*" || ws[2].Address != "module.eks.*" || ws[2].Entry != "2" || ws[2].Line != 12 {
				t.Errorf("last: %+v", ws[2])
			}
		})
	}
	ws, err := Parse("w.yaml", []byte("waivers:\n"))
	if err != nil || len(ws) != 0 {
		t.Errorf("an empty list: %v %v", ws, err)
	}
}

func TestParseErrors(t *testing.T) {
	entry := func(body string) string { return "waivers:\n  - " + strings.ReplaceAll(body, "\n", "\n    ") + "\n" }
	base := "reason: r\nexpires: 2027-01-01\n"
	for _, tc := range []struct{ name, data, want string }{
		{"empty", "", "w.yaml: empty"},
		{"comments only", "# nothing\n", "w.yaml: empty"},
		{"not a mapping", "- a\n", "w.yaml:1: expected a mapping"},
		{"no waivers key", "other: 1\n", `w.yaml:1: unknown key "other"`},
		{"waivers twice", "waivers: []\nwaivers: []\n", "waivers is given twice"},
		{"not a list", "waivers: {a: 1}\n", "w.yaml:1: waivers must be a list"},
		{"entry not a mapping", "waivers:\n  - 5.4.2\n", "w.yaml:2: a waiver is a mapping"},
		{"no control", entry("resource: '*'\n" + base), "w.yaml:2: a waiver needs control"},
		{"both", entry("control: 5.4.2\ncheck: eks-endpoint-private\nresource: '*'\n" + base), "not both"},
		{"unknown control", entry("control: 9.9.9\nresource: '*'\n" + base), `w.yaml:2: control "9.9.9" is not a control`},
		{"unknown check", entry("check: nope\nresource: '*'\n" + base), `check "nope" is not an eksguard check`},
		{"no selector", entry("control: 5.4.2\n" + base), "at least one of resource"},
		{"no reason", entry("control: 5.4.2\nresource: '*'\nexpires: 2027-01-01"), "needs a reason"},
		{"no expires", entry("control: 5.4.2\nresource: '*'\nreason: r"), "needs expires"},
		{"bad date", entry("control: 5.4.2\nresource: '*'\nreason: r\nexpires: 30/06/2027"), `w.yaml:5: expires: "30/06/2027" is not a date`},
		{"impossible date", entry("control: 5.4.2\nresource: '*'\nreason: r\nexpires: 2027-02-30"), "w.yaml:5: expires"},
		{"unknown key", entry("control: 5.4.2\nresource: '*'\nowner: me\n" + base), `w.yaml:4: unknown key "owner"`},
		{"list value", entry("control: [5.4.2]\nresource: '*'\n" + base), "w.yaml:2: control must be a single value"},
		{"empty value", entry("control: 5.4.2\nresource: ''\n" + base), "w.yaml:3: resource is empty"},
		{"null value", entry("control: 5.4.2\nresource:\n" + base), "resource must be a single value"},
		{"duplicate key", entry("control: 5.4.2\ncontrol: 5.4.1\nresource: '*'\n" + base), "w.yaml:3: control is given twice"},
		{"second document", "waivers: []\n---\nwaivers: []\n", "a second YAML document"},
		{"syntax", "waivers:\n  - control: [\n", "w.yaml:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("w.yaml", []byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"*", "anything/at:all", true},
		{"*", "", true},
		{"", "", true},
		{"", "x", false},
		{"arn:aws:eks:*:111111111111:cluster/*", "arn:aws:eks:eu-west-1:111111111111:cluster/prod", true},
		{"arn:aws:eks:*:111111111111:cluster/*", "arn:aws:eks:eu-west-1:222222222222:cluster/prod", false},
		{"infra/*", "infra/eks/main.tf", true},
		{"infra/*.tf", "infra/eks/main.tf.json", false},
		{"us-east-?", "us-east-1", true},
		{"us-east-?", "us-east-12", false},
		{"*prod*", "team-prod-blue", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"Prod", "prod", false},
		{strings.Repeat("*a", 30) + "b", strings.Repeat("a", 200), false},
	} {
		if got := Glob(tc.p, tc.s); got != tc.want {
			t.Errorf("Glob(%q, %q) = %v", tc.p, tc.s, got)
		}
	}
}

func TestExpired(t *testing.T) {
	w := Waiver{Expires: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2027, 6, 29, 23, 0, 0, 0, time.UTC), false},
		{time.Date(2027, 6, 30, 23, 59, 59, 0, time.UTC), false}, // the whole last day
		{time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC), true},
	} {
		if got := w.Expired(tc.now); got != tc.want {
			t.Errorf("Expired(%s) = %v", tc.now, got)
		}
	}
}

func live(control, check, account, region, name string, st finding.Status) finding.Result {
	return finding.Result{Control: control, CheckID: check, Status: st, Resource: finding.Resource{
		Type: finding.ResourceCluster, Name: name, Account: account, Region: region,
		ARN: "arn:aws:eks:" + region + ":" + account + ":cluster/" + name,
	}}
}

func TestApply(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	rep := &finding.Report{Results: []finding.Result{
		live("5.4.2", "eks-endpoint-private", "111111111111", "us-east-1", "analytics", finding.Fail),    // first
		live("5.4.2", "eks-endpoint-private", "111111111111", "us-east-1", "payments", finding.Fail),     // middle: not covered
		live("5.4.2", "eks-endpoint-private", "111111111111", "us-east-1", "passing", finding.Pass),      // a pass is never waived
		live("2.1.1", "eks-audit-logging", "222222222222", "eu-west-1", "web", finding.Unknown),          // by check, account and region
		live("2.1.1", "eks-audit-logging", "222222222222", "us-west-2", "web", finding.Fail),             // region does not match
		live("5.4.2", "eks-endpoint-private", "111111111111", "us-east-1", "analytics-eu", finding.Fail), // last: near miss
	}}
	ws, err := Parse("w.yaml", []byte(goodFile))
	if err != nil {
		t.Fatal(err)
	}
	ws = append(ws,
		Waiver{Entry: "3", Control: "5.4.2", Cluster: "analytics", Reason: "overlaps the first", Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		Waiver{Entry: "4", Control: "5.4.2", Resource: "*", Reason: "too late", Expires: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)},
	)
	Apply(rep, ws, now)
	want := []string{"0", "", "", "1", "", ""}
	for i, r := range rep.Results {
		got := ""
		if r.Waived != nil {
			got = r.Waived.Entry
		}
		if got != want[i] {
			t.Errorf("result %d (%s %s %s): waived by %q, want %q", i, r.Control, r.Resource.Name, r.Resource.Region, got, want[i])
		}
	}
	if rep.Results[0].Waived.Reason != "allowlisted by design, reviewed 2026-10" || rep.Results[0].Waived.Expires != "2027-06-30" {
		t.Errorf("waived = %+v", rep.Results[0].Waived)
	}
	if rep.Waivers.Applied != 2 {
		t.Errorf("applied = %d", rep.Waivers.Applied)
	}
	// Entry 2 (IaC selectors) matches nothing live; entry 3 overlaps entry 0 and is in use.
	if len(rep.Waivers.Stale) != 1 || rep.Waivers.Stale[0].Entry != "2" {
		t.Errorf("stale = %+v", rep.Waivers.Stale)
	}
	if len(rep.Waivers.Expired) != 1 || rep.Waivers.Expired[0].Entry != "4" {
		t.Errorf("expired = %+v", rep.Waivers.Expired)
	}
	s := rep.Summary
	if s[finding.WaivedKey] != 2 || s[finding.Fail] != 3 || s[finding.Unknown] != 0 || s[finding.Pass] != 1 {
		t.Errorf("summary = %v", s)
	}
	if !rep.Has(finding.Fail) || rep.Has(finding.Unknown) {
		t.Error("Has must count only results that are not waived")
	}
}

func TestApplyIaCSelectors(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	iac := func(name, file string) finding.Result {
		return finding.Result{Control: "5.3.1", CheckID: "eks-secrets-encryption", Status: finding.Fail,
			Resource: finding.Resource{Type: finding.ResourceCluster, Name: name, Root: "infra/eks", File: file},
			Location: &model.Location{File: file, Line: 3}}
	}
	rep := &finding.Report{Results: []finding.Result{
		iac("module.eks.aws_eks_cluster.this[0]", "infra/eks/main.tf"),
		iac("aws_eks_cluster.other", "infra/eks/main.tf"),
		iac("module.eks.aws_eks_cluster.this[0]", "other/main.tf"),
	}}
	ws, _ := Parse("w.yaml", []byte(goodFile))
	Apply(rep, ws, now)
	if rep.Results[0].Waived == nil || rep.Results[1].Waived != nil || rep.Results[2].Waived != nil {
		t.Errorf("file and address must both match: %v %v %v", rep.Results[0].Waived, rep.Results[1].Waived, rep.Results[2].Waived)
	}
	// No waivers: the report is left as it was.
	rep2 := &finding.Report{Results: []finding.Result{iac("a", "b.tf")}}
	Apply(rep2, nil, now)
	if rep2.Waivers != nil {
		t.Error("no waivers must leave no waivers section")
	}
}
