package eksctl

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
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

// fixRefused lists the clusters (or cluster/target) whose fix must be refused, with why; every other
// one that does not already pass must get a fix that works.
var fixRefused = map[string]string{
	"private-with-endpoints": "remove vpc.clusterEndpoints",
	"merged-open/private":    "takes publicAccess from a YAML merge key",
}

func settings(c *model.Cluster) string {
	// Lines may move; values, origins and details must not.
	return fmt.Sprintf("%v/%s/%s %v/%s/%s %v/%s/%s", c.EndpointPublicAccess.Value, c.EndpointPublicAccess.Origin, c.EndpointPublicAccess.Detail,
		c.EndpointPrivateAccess.Value, c.EndpointPrivateAccess.Origin, c.EndpointPrivateAccess.Detail,
		c.PublicAccessCIDRs.Values, c.PublicAccessCIDRs.Origin, c.PublicAccessCIDRs.Detail)
}

// TestFix applies every suggested fix, scans the result again and checks that the target's controls
// pass and that no other cluster in the file changed.
func TestFix(t *testing.T) {
	files := []string{"no-vpc.yaml", "partial.yaml", "cidrs.yaml", "private-cluster.yaml", "both-false.yaml", "placeholders.yaml", "ipv6.yaml", "merge.yaml"}
	for _, name := range files {
		path := "testdata/" + name
		orig := readFile(t, path, false)
		before := scan(orig)
		var golden strings.Builder
		for i, r := range before.Resources {
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
					want, refused := fixRefused[id+"/"+tg.mode]
					if !refused {
						want, refused = fixRefused[id]
					}
					switch {
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
							t.Errorf("edit names %q (%q)", e.File, e.Path)
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
					after := scan(&iac.File{Path: orig.Path, Name: orig.Name, Data: patched})
					if len(after.Resources) != len(before.Resources) {
						t.Fatalf("%d clusters after the fix, %d before:\n%s", len(after.Resources), len(before.Resources), patched)
					}
					for _, p := range after.Problems {
						if p.Line >= fx.Edits[0].Line && strings.Contains(p.Message, "cannot parse") {
							t.Fatalf("patched file has problems %v:\n%s", after.Problems, patched)
						}
					}
					got := evaluate(t, after.Resources[i].Cluster)
					if got.s541 != finding.Pass || (tg.mode == "private" && got.s542 != finding.Pass) {
						t.Errorf("after the fix 5.4.1 %s, 5.4.2 %s (%s):\n%s", got.s541, got.s542, got.r541, patched)
					}
					for j, o := range before.Resources {
						if j != i && settings(o.Cluster) != settings(after.Resources[j].Cluster) {
							t.Errorf("fixing %s changed %s", id, o.Cluster.Name)
						}
					}
				})
			}
		}
		goldenPath := filepath.Join("testdata", "fix", name+".golden")
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

func TestFixRefusals(t *testing.T) {
	file := func(data string) iac.Resource {
		res := scan(&iac.File{Name: "c.yaml", Path: "c.yaml", Data: []byte(data)})
		if len(res.Resources) != 1 {
			t.Fatalf("resources %v, problems %v", res.Resources, res.Problems)
		}
		return res.Resources[0]
	}
	head := "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: c\n"
	tests := []struct {
		name, data string
		tg         target
		want       string
	}{
		{"privateCluster placeholder", head + "privateCluster:\n  enabled: ${PRIVATE}\n", targetPrivate, "privateCluster.enabled is not a literal boolean"},
		{"fully-private cluster is stricter than restrict", head + "privateCluster:\n  enabled: true\n", targetRestrict, "stricter than any endpoint setting"},
		{"vpc is computed elsewhere", head + "vpc: !include vpc.yaml\n", targetPrivate, "computed by !include"},
		{"flow-style root", `{apiVersion: eksctl.io/v1alpha5, kind: ClusterConfig, metadata: {name: c}}`, targetPrivate, "not a block mapping"},
		{"nothing asked", head, target{"none", model.Settings{}}, "nothing to change"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx, err := fixFor(file(tt.data), tt.tg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("fix %+v, error %v; want %q", fx, err, tt.want)
			}
		})
	}
}

// fuzzWants are the settings the fuzz target asks of a cluster: each endpoint target, and together
// what every check that does not pass wants (the key of secrets encryption included).
func fuzzWants(c *model.Cluster) []model.Settings {
	out := []model.Settings{targetPrivate.want.Pending(c), targetRestrict.want.Pending(c)}
	var all model.Settings
	for _, k := range check.All() {
		if k.Evaluate(c).Status == finding.Pass {
			continue
		}
		if w, why := k.Want(c, check.Options{Endpoint: check.TargetPrivate, KMSKeyARN: exampleKey}); why == "" {
			all, _ = all.Merge(w)
		}
	}
	return append(out, all)
}

// FuzzEksctl runs arbitrary bytes through the whole adapter: scan (without the recover that Scan
// adds), evaluation, and every fix, whose result must still parse and read back as the settings it
// wrote.
func FuzzEksctl(f *testing.F) {
	_ = filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		var res iac.Result
		scanFile(&iac.File{Name: "fuzz.yaml", Path: "fuzz.yaml", Data: data, Explicit: true}, &res)
		// In a file that does not parse to the end, how many documents yaml.v3 reads before it stops
		// depends on where its read-ahead meets the bad bytes, which an edit moves: only check bounds.
		broken := false
		for _, p := range res.Problems {
			broken = broken || strings.Contains(p.Message, "cannot parse")
		}
		for i, r := range res.Resources {
			evaluate(t, r.Cluster)
			for _, want := range fuzzWants(r.Cluster) {
				if want.Empty() {
					continue
				}
				fx, skipped, err := iac.PlanFix(r, want)
				if err != nil || fx == nil {
					continue
				}
				patched, err := finding.ApplyEdits(data, fx.Edits)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Equal(patched, data) {
					t.Fatalf("fix %s for %s changes nothing", fx.Description, r.Cluster.Name)
				}
				if broken {
					continue
				}
				var again iac.Result
				scanFile(&iac.File{Name: "fuzz.yaml", Path: "fuzz.yaml", Data: patched}, &again)
				if len(again.Resources) != len(res.Resources) {
					t.Fatalf("fix %s for %s broke the file (%v):\n%s\n---\n%s", fx.Description, r.Cluster.Name, again.Problems, data, patched)
				}
				written := want
				for f := range skipped {
					written = written.Without(f)
				}
				if left := written.Pending(again.Resources[i].Cluster); !left.Empty() {
					t.Fatalf("fix %s for %s leaves %v unwritten:\n%s\n---\n%s", fx.Description, r.Cluster.Name, left.Fields(), data, patched)
				}
			}
		}
	})
}
