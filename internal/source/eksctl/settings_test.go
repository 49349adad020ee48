package eksctl

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// exampleKey is the customer managed key fixes write.
const exampleKey = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// TestSettings covers cloudWatch.clusterLogging.enableTypes, accessConfig.authenticationMode and
// secretsEncryption.keyARN: eksctl's defaults, explicit values, wildcards, placeholders and what
// eksctl rejects.
func TestSettings(t *testing.T) {
	E, D, U := model.OriginExplicit, model.OriginDefault, model.OriginUnknown
	all := strings.Join(model.LogTypes, ",")
	type want struct {
		origin model.Origin
		value  string
		line   int
		detail string
	}
	tests := []struct {
		cluster          string
		logs, mode, keys want
	}{
		{"defaults",
			want{D, "", 0, "eksctl default: no cloudWatch.clusterLogging.enableTypes"},
			want{D, "API_AND_CONFIG_MAP", 0, "eksctl default (accessConfig.authenticationMode left out)"},
			want{D, "", 0, "eksctl default: no secretsEncryption"}},
		{"everything",
			want{E, all, 14, `"*" enables every log type`},
			want{E, "API", 17, ""},
			want{E, "arn:aws:kms:us-east-1:111111111111:key/literal", 19, ""}},
		{"some",
			want{E, "audit,api", 27, ""},
			want{E, "CONFIG_MAP", 32, ""},
			want{D, "", 0, "eksctl default"}},
		{"all-word",
			want{E, all, 41, `"all" enables every log type`},
			want{D, "API_AND_CONFIG_MAP", 0, "eksctl default"},
			want{U, "", 44, "secretsEncryption.keyARN is the placeholder ${KMS_KEY_ARN}, substituted before eksctl runs"}},
		{"placeholders",
			want{U, "", 52, "cloudWatch.clusterLogging.enableTypes is the placeholder ${LOG_TYPES}"},
			want{U, "", 54, "accessConfig.authenticationMode is the placeholder $AUTH_MODE"},
			want{D, "", 0, "eksctl default"}},
		{"rejected",
			want{U, "", 62, `log type "Audit" (cloudWatch.clusterLogging.enableTypes[1]) is unknown; eksctl rejects the config`},
			want{D, "API_AND_CONFIG_MAP", 0, "eksctl default"},
			want{U, "", 64, `secretsEncryption.keyARN "alias/eks" is not an ARN; eksctl rejects the config`}},
		{"no-key",
			want{D, "", 0, "eksctl default"},
			want{D, "API_AND_CONFIG_MAP", 0, "eksctl default"},
			want{U, "", 70, "secretsEncryption without a keyARN; eksctl rejects the config"}},
		{"outpost",
			want{D, "", 0, "eksctl default"},
			want{D, "CONFIG_MAP", 0, "eksctl default for a local cluster on Outposts without etcdInstanceType"},
			want{D, "", 0, "eksctl default"}},
		{"outpost-etcd",
			want{D, "", 0, "eksctl default"},
			want{D, "API_AND_CONFIG_MAP", 0, "eksctl default (accessConfig.authenticationMode left out)"},
			want{D, "", 0, "eksctl default"}},
		{"outpost-key",
			want{D, "", 0, "eksctl default"},
			want{D, "CONFIG_MAP", 0, "Outposts"},
			want{U, "", 105, "KMS secrets encryption is not supported on Outposts; eksctl rejects the config"}},
		{"private-logs",
			want{E, "audit", 96, ""},
			want{D, "API_AND_CONFIG_MAP", 0, "eksctl default"},
			want{D, "", 0, "eksctl default"}},
	}
	res := scan(readFile(t, "testdata/settings.yaml", false))
	line := func(l *model.Location) int {
		if l == nil {
			return 0
		}
		return l.Line
	}
	for _, tt := range tests {
		t.Run(tt.cluster, func(t *testing.T) {
			r := findResource(res, tt.cluster)
			if r == nil {
				t.Fatal("cluster not found")
			}
			c := r.Cluster
			l, m, k := c.EnabledLogTypes, c.AuthenticationMode, c.SecretsKeyARN
			got := []want{
				{l.Origin, strings.Join(l.Values, ","), line(l.Loc), l.Detail},
				{m.Origin, m.Value, line(m.Loc), m.Detail},
				{k.Origin, k.Value, line(k.Loc), k.Detail},
			}
			for i, w := range []want{tt.logs, tt.mode, tt.keys} {
				g := got[i]
				if g.origin != w.origin || g.value != w.value || g.line != w.line || !strings.Contains(g.detail, w.detail) {
					t.Errorf("%s: got %+v\nwant %+v", []string{"logs", "mode", "key"}[i], g, w)
				}
			}
		})
	}
	// What eksctl would reject is also a problem at its line.
	var problems []string
	for _, p := range res.Problems {
		if p.Code != finding.ProblemInvalid {
			t.Errorf("problem %v has code %q", p, p.Code)
		}
		problems = append(problems, p.String())
	}
	wantProblems := []string{
		`testdata/settings.yaml:62:24: log type "Audit" (cloudWatch.clusterLogging.enableTypes[1]) is unknown; eksctl rejects the config (known types: api, audit, authenticator, controllerManager, scheduler, or "*" for all)`,
		`testdata/settings.yaml:64:3: secretsEncryption.keyARN "alias/eks" is not an ARN; eksctl rejects the config`,
		`testdata/settings.yaml:70:1: secretsEncryption without a keyARN; eksctl rejects the config (field secretsEncryption.keyARN is required)`,
		`testdata/settings.yaml:105:3: KMS secrets encryption is not supported on Outposts; eksctl rejects the config`,
	}
	if strings.Join(problems, "\n") != strings.Join(wantProblems, "\n") {
		t.Errorf("problems\n%s\nwant\n%s", strings.Join(problems, "\n"), strings.Join(wantProblems, "\n"))
	}
}

// fixSkips lists, per cluster, the settings its fix must leave out, with why.
var fixSkips = map[string]map[model.Field]string{
	"outpost": {
		model.FieldAuthenticationMode: "EKS accepts only CONFIG_MAP",
		model.FieldSecretsKeyARN:      "eksctl does not support KMS secrets encryption",
	},
	"outpost-etcd": {model.FieldSecretsKeyARN: "eksctl does not support KMS secrets encryption"},
	"outpost-key": {
		model.FieldAuthenticationMode: "EKS accepts only CONFIG_MAP",
		model.FieldSecretsKeyARN:      "eksctl does not support KMS secrets encryption",
	},
}

// TestFixSettings asks every cluster for the settings of each check it does not pass (FAIL or
// UNKNOWN), applies the edit, reads the file again and requires every check asked to pass and no
// other cluster to change. The edits are kept in a golden file.
func TestFixSettings(t *testing.T) {
	opts := check.Options{Endpoint: check.TargetPrivate, KMSKeyARN: exampleKey}
	orig := readFile(t, "testdata/settings.yaml", false)
	before := scan(orig)
	var golden strings.Builder
	for i, r := range before.Resources {
		id := r.Cluster.Name
		t.Run(id, func(t *testing.T) {
			fmt.Fprintf(&golden, "== %s\n", id)
			want, asked, conflicts := check.Wanted(r.Cluster, opts)
			if len(conflicts) > 0 {
				t.Fatalf("conflicting settings %v", conflicts)
			}
			if want.Empty() {
				fmt.Fprintf(&golden, "compliant\n")
				return
			}
			fx, skipped, err := iac.PlanFix(r, want)
			if err != nil {
				t.Fatal(err)
			}
			var fields []string
			for f, why := range skipped {
				fields = append(fields, string(f))
				if w, ok := fixSkips[id][f]; !ok || !strings.Contains(why, w) {
					t.Errorf("skipped %s: %s, want %q", f, why, w)
				}
			}
			if len(skipped) != len(fixSkips[id]) {
				t.Errorf("skipped %v, want %v", skipped, fixSkips[id])
			}
			sort.Strings(fields)
			for _, f := range fields {
				fmt.Fprintf(&golden, "skipped %s: %s\n", f, skipped[model.Field(f)])
			}
			if fx == nil {
				t.Fatalf("no fix (skipped %v)", skipped)
			}
			fmt.Fprintf(&golden, "%s\n", fx.Description)
			for _, e := range fx.Edits {
				fmt.Fprintf(&golden, "@@ line %d, remove %d\n", e.Line, e.Remove)
				for _, l := range e.Insert {
					fmt.Fprintf(&golden, "+%s\n", l)
				}
			}
			patched, err := finding.ApplyEdits(orig.Data, fx.Edits)
			if err != nil {
				t.Fatal(err)
			}
			after := scan(&iac.File{Path: orig.Path, Name: orig.Name, Data: patched})
			if len(after.Resources) != len(before.Resources) {
				t.Fatalf("%d clusters after the fix:\n%s", len(after.Resources), patched)
			}
			fixed := after.Resources[i].Cluster
			for _, k := range asked {
				left := false
				for _, f := range k.Reads {
					_, s := skipped[f]
					left = left || s
				}
				if o := k.Evaluate(fixed); !left && o.Status != finding.Pass {
					t.Errorf("after the fix %s is %s: %s\n%s", k.ID, o.Status, o.Reason, patched)
				}
			}
			for j, o := range before.Resources {
				if j != i && modelOf(o.Cluster) != modelOf(after.Resources[j].Cluster) {
					t.Errorf("fixing %s changed %s", id, o.Cluster.Name)
				}
			}
		})
	}
	path := filepath.Join("testdata", "fix", "settings.yaml.golden")
	if *update {
		if err := os.WriteFile(path, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	w, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(w) != golden.String() {
		t.Errorf("%s differs (run go test -update and review the diff):\n%s", path, golden.String())
	}
}

// modelOf writes what a cluster's settings read as, without lines, which edits above it move.
func modelOf(c *model.Cluster) string {
	return fmt.Sprintf("%s %v/%s/%s %s/%s/%s %s/%s/%s", settings(c), c.EnabledLogTypes.Values, c.EnabledLogTypes.Origin, c.EnabledLogTypes.Detail,
		c.AuthenticationMode.Value, c.AuthenticationMode.Origin, c.AuthenticationMode.Detail,
		c.SecretsKeyARN.Value, c.SecretsKeyARN.Origin, c.SecretsKeyARN.Detail)
}

// TestFixPrivateCluster: a fully-private cluster takes logging and encryption edits; only the endpoint
// settings, which eksctl sets itself for it, are refused, field by field.
func TestFixPrivateCluster(t *testing.T) {
	r := findResource(scan(readFile(t, "testdata/settings.yaml", false)), "private-logs")
	want := model.Settings{EndpointPublicAccess: model.Ptr(true), PublicAccessCIDRs: []string{"203.0.113.0/24"}, EnabledLogTypes: model.LogTypes}
	fx, skipped, err := iac.PlanFix(*r, want)
	if err != nil || fx == nil {
		t.Fatalf("fix %v, error %v", fx, err)
	}
	for _, f := range []model.Field{model.FieldEndpointPublicAccess, model.FieldPublicAccessCIDRs} {
		if !strings.Contains(skipped[f], "fully-private cluster") {
			t.Errorf("skipped %s: %q", f, skipped[f])
		}
	}
	if !strings.Contains(fx.Description, "enableTypes to [api, audit, authenticator, controllerManager, scheduler]") ||
		!strings.Contains(fx.Description, "eksctl utils update-cluster-logging -f testdata/settings.yaml --approve") {
		t.Errorf("description %q", fx.Description)
	}
}
