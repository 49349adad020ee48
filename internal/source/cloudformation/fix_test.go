package cloudformation

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// target is what eksguard iac's --target asks of the endpoint: private only, or restricted to an
// allowlist with private access on.
type target struct {
	mode string
	want model.Settings
}

var (
	targetPrivate  = target{"private", model.Settings{EndpointPrivateAccess: model.Ptr(true), EndpointPublicAccess: model.Ptr(false)}}
	targetRestrict = target{"restrict", model.Settings{EndpointPrivateAccess: model.Ptr(true), EndpointPublicAccess: model.Ptr(true),
		PublicAccessCIDRs: []string{"203.0.113.0/24", "198.51.100.10/32"}}}
)

// fixFor asks a resource for the edit towards a target, as the checks do: only what the cluster does
// not already have.
func fixFor(r iac.Resource, tg target) (*finding.Fix, error) {
	return r.Fix(tg.want.Pending(r.Cluster))
}

var fixFiles = []string{
	"literal.yaml", "strings.yaml", "params.yaml", "conditions.yaml", "novalue.yaml", "missing-cidrs.yaml",
	"awsqs.yaml", "template.json", "intrinsics.yaml", "layout.yaml", "indent4.yaml", "minified.json", "tabs.json",
	"cdk.out/NativeStack.template.json", "cdk.out/LegacyStack.template.json",
}

// fixRefused lists the resources whose fix must be refused, with why; every other failing or unknown
// resource must get a fix that works.
var fixRefused = map[string]string{
	"IfWholeConfig":     "is computed by !If; edit it by hand",
	"ClusterEB0386A7":   "set endpointAccess (",
	"Cluster9EE0221C":   "set endpointAccess (",
	"PrivateCluster":    "set endpointAccess (",
	"RestrictedCluster": "set endpointAccess (",
}

func settings(c *model.Cluster) string {
	return fmt.Sprintf("%v/%s/%s %v/%s/%s %v/%s/%s", c.EndpointPublicAccess.Value, c.EndpointPublicAccess.Origin, c.EndpointPublicAccess.Detail,
		c.EndpointPrivateAccess.Value, c.EndpointPrivateAccess.Origin, c.EndpointPrivateAccess.Detail,
		c.PublicAccessCIDRs.Values, c.PublicAccessCIDRs.Origin, c.PublicAccessCIDRs.Detail)
}

// TestFix applies every suggested fix, scans the result again and checks that the target's controls
// pass, that the file still parses (JSON stays JSON), and that no other cluster in the file changed.
func TestFix(t *testing.T) {
	for _, name := range fixFiles {
		path := "testdata/" + name
		orig := readFile(t, path, false)
		before := scan(orig)
		if len(before.Problems) > 0 {
			t.Fatalf("%s: %v", name, before.Problems)
		}
		var golden strings.Builder
		for _, r := range before.Resources {
			for _, tg := range []target{targetPrivate, targetRestrict} {
				id := r.Cluster.Name
				t.Run(name+"/"+id+"/"+tg.mode, func(t *testing.T) {
					v := evaluate(t, r.Cluster)
					fmt.Fprintf(&golden, "== %s %s\n", id, tg.mode)
					if v.s541 == finding.Pass && v.s542 == finding.Pass {
						// The checks ask nothing of a compliant cluster (private only is stricter
						// than restricted).
						fmt.Fprintf(&golden, "compliant\n")
						return
					}
					fx, err := fixFor(r, tg)
					switch want, refused := fixRefused[id]; {
					case refused:
						if err == nil || !strings.Contains(err.Error(), want) {
							t.Fatalf("error %v, want one containing %q", err, want)
						}
						fmt.Fprintf(&golden, "refused: %v\n", err)
						return
					case err != nil:
						t.Fatalf("no fix: %v", err)
					}
					fmt.Fprintf(&golden, "%s\n", fx.Description)
					for _, e := range fx.Edits {
						if e.File != orig.Name || e.Path != orig.Path {
							t.Errorf("edit names %q (%q), want %q (%q)", e.File, e.Path, orig.Name, orig.Path)
						}
						fmt.Fprintf(&golden, "@@ line %d, remove %d\n", e.Line, e.Remove)
						for _, l := range e.Insert {
							fmt.Fprintf(&golden, "+%s\n", l)
						}
					}
					patched, err := finding.ApplyEdits(orig.Data, fx.Edits)
					if err != nil {
						t.Fatal(err)
					}
					if strings.HasSuffix(name, ".json") && !json.Valid(patched) {
						t.Fatalf("patched JSON is not valid:\n%s", patched)
					}
					after := scan(&iac.File{Path: orig.Path, Name: orig.Name, Data: patched})
					if len(after.Problems) > 0 {
						t.Fatalf("patched file has problems %v:\n%s", after.Problems, patched)
					}
					fixed := findResource(after, id)
					if fixed == nil {
						t.Fatalf("cluster gone after the fix:\n%s", patched)
					}
					got := evaluate(t, fixed.Cluster)
					if got.s541 != finding.Pass || (tg.mode == "private" && got.s542 != finding.Pass) {
						t.Errorf("after the fix 5.4.1 %s, 5.4.2 %s (%s):\n%s", got.s541, got.s542, got.r541, patched)
					}
					if tg.mode == "restrict" && strings.Join(fixed.Cluster.PublicAccessCIDRs.Values, ",") != strings.Join(tg.want.PublicAccessCIDRs, ",") {
						t.Errorf("allowlist %v, want exactly %v", fixed.Cluster.PublicAccessCIDRs.Values, tg.want.PublicAccessCIDRs)
					}
					if len(after.Resources) != len(before.Resources) {
						t.Fatalf("%d clusters after the fix, %d before", len(after.Resources), len(before.Resources))
					}
					for i, o := range before.Resources {
						if o.Cluster.Name != id && settings(o.Cluster) != settings(after.Resources[i].Cluster) {
							t.Errorf("fixing %s changed %s: %s -> %s", id, o.Cluster.Name, settings(o.Cluster), settings(after.Resources[i].Cluster))
						}
					}
				})
			}
		}
		goldenPath := filepath.Join("testdata", "fix", strings.ReplaceAll(name, "/", "_")+".golden")
		if *update {
			if err := os.MkdirAll(filepath.Dir(goldenPath), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(goldenPath, []byte(golden.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(goldenPath)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if string(want) != golden.String() {
			t.Errorf("%s: fixes differ from %s (run go test -update and review the diff):\n%s", name, goldenPath, golden.String())
		}
	}
}

func TestFixCRLF(t *testing.T) {
	for _, name := range []string{"literal.yaml", "template.json"} {
		t.Run(name, func(t *testing.T) {
			orig := readFile(t, "testdata/"+name, false)
			orig.Data = []byte(strings.ReplaceAll(string(orig.Data), "\n", "\r\n"))
			id := "Open"
			if strings.HasSuffix(name, ".json") {
				id = "JsonOpen"
			}
			r := findResource(scan(orig), id)
			fx, err := fixFor(*r, targetPrivate)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range fx.Edits {
				for _, l := range e.Insert {
					if strings.Contains(l, "\r") {
						t.Errorf("inserted line %q keeps a carriage return", l)
					}
				}
			}
			patched, err := finding.ApplyEdits(orig.Data, fx.Edits)
			if err != nil {
				t.Fatal(err)
			}
			fixed := findResource(scan(&iac.File{Name: orig.Name, Path: orig.Path, Data: patched}), id)
			if v := evaluate(t, fixed.Cluster); v.s541 != finding.Pass || v.s542 != finding.Pass {
				t.Errorf("after the fix %s %s", v.s541, v.s542)
			}
		})
	}
}

// TestFixNothing: a resource asked for no settings has nothing to change.
func TestFixNothing(t *testing.T) {
	r := findResource(scan(readFile(t, "testdata/literal.yaml", false)), "Open")
	if fx, err := r.Fix(model.Settings{}); err == nil || !strings.Contains(err.Error(), "nothing to change") {
		t.Errorf("fix %+v, error %v", fx, err)
	}
}

func TestCDKFixMessages(t *testing.T) {
	res := scan(readFile(t, "testdata/cdk.out/NativeStack.template.json", false), readFile(t, "testdata/cdk.out/LegacyStack.template.json", false))
	tests := []struct {
		name, resource string
		want           model.Settings
		msg            string
	}{
		{"native to private", "ClusterEB0386A7", targetPrivate.want, "NativeStack/Cluster/Resource is generated by the AWS CDK, so a patch to the template would be lost at the next synth: set endpointAccess (EndpointAccess.PRIVATE) in the CDK app and synth again"},
		{"custom resource to private", "Cluster9EE0221C", targetPrivate.want, "set endpointAccess (EndpointAccess.PRIVATE) in the CDK app and synth again"},
		{"custom resource restricted", "Cluster9EE0221C", targetRestrict.want, "EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom('203.0.113.0/24', '198.51.100.10/32')"},
		{"every log type", "ClusterEB0386A7", model.Settings{EnabledLogTypes: model.LogTypes}, "set clusterLogging ([ClusterLoggingTypes.API, ClusterLoggingTypes.AUDIT, ClusterLoggingTypes.AUTHENTICATOR, ClusterLoggingTypes.CONTROLLER_MANAGER, ClusterLoggingTypes.SCHEDULER]) in the CDK app"},
		{"access entries and a key", "Cluster9EE0221C", model.Settings{AuthenticationMode: model.Ptr(model.AuthAPIAndConfigMap), SecretsKeyARN: model.Ptr(exampleKey)},
			"set authenticationMode (AuthenticationMode.API_AND_CONFIG_MAP), secretsEncryptionKey (a kms.Key, or kms.Key.fromKeyArn(this, 'SecretsKey', '" + exampleKey + "')) in the CDK app"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := findResource(res, tt.resource).Fix(tt.want)
			var fe *iac.FieldError
			if errors.As(err, &fe) {
				t.Errorf("a generated template refuses field by field: %v", err)
			}
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want %q", err, tt.msg)
			}
		})
	}
	// A CDK template outside cdk.out is still recognised by its metadata.
	f := readFile(t, "testdata/cdk.out/NativeStack.template.json", false)
	f.Name, f.Path = "synth/NativeStack.template.json", "synth/NativeStack.template.json"
	if _, err := scan(f).Resources[0].Fix(targetPrivate.want); err == nil || !strings.Contains(err.Error(), "synth again") {
		t.Errorf("error %v", err)
	}
}

// exampleKey is the customer managed key fixes write.
const exampleKey = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
