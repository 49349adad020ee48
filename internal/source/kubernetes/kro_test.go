package kubernetes

import (
	"slices"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// rgd is a ResourceGraphDefinition whose one resource, "cluster", has a template that ends inside
// its spec (indented by ten spaces).
const rgd = "apiVersion: kro.run/v1alpha1\nkind: ResourceGraphDefinition\nmetadata:\n  name: p\nspec:\n" +
	"  schema:\n    apiVersion: v1alpha1\n    kind: Platform\n    spec:\n      public: boolean\n  resources:\n    - id: cluster\n      template:\n"

const (
	kroACK     = rgd + "        apiVersion: eks.services.k8s.aws/v1alpha1\n        kind: Cluster\n        metadata:\n          name: ${schema.spec.name}\n        spec:\n          name: x\n"
	kroCAPA    = rgd + "        apiVersion: controlplane.cluster.x-k8s.io/v1beta2\n        kind: AWSManagedControlPlane\n        metadata:\n          name: x\n        spec:\n          region: us-east-1\n"
	kroUpbound = rgd + "        apiVersion: eks.aws.upbound.io/v1beta1\n        kind: Cluster\n        metadata:\n          name: x\n        spec:\n          forProvider:\n            region: us-east-1\n"
)

// TestKroScan reads the kro fixture: the clusters its graphs declare, by RGD-NAME/RESOURCE-ID at
// their id line, every check's verdict with the line that decided it, and the notes.
func TestKroScan(t *testing.T) {
	res := scan("kro-eks-platform.yaml", readFixture(t, "kro-eks-platform.yaml"))
	if len(res.Problems) > 0 || !slices.Equal(res.Claimed, []string{"kro-eks-platform.yaml"}) {
		t.Fatalf("problems %v, claimed %v", res.Problems, res.Claimed)
	}
	want := map[string]struct {
		line     int
		verdicts map[string]verdict
		note     string
	}{
		// The public endpoint is each instance's: both endpoint checks are unknown, the literal
		// logging and authentication mode fail, and no encryption config is the default.
		"eks-platform/cluster": {36, verdicts(unknown, 51, unknown, 51, fail, 53, fail, 59, fail, 36), "declared in ResourceGraphDefinition eks-platform resource cluster"},
		"sandbox/eks":          {93, verdicts(fail, 93, fail, 93, fail, 93, fail, 93, fail, 93), "kro may not create it: spec.resources[0].includeWhen creates it only for instances where ${schema.spec.withCluster}"},
	}
	var names []string
	for _, r := range res.Resources {
		c := r.Cluster
		names = append(names, c.Name)
		w, ok := want[c.Name]
		if !ok {
			continue
		}
		if c.Loc == nil || c.Loc.Line != w.line {
			t.Errorf("%s at %v, want line %d", c.Name, c.Loc, w.line)
		}
		if !slices.Contains(c.Notes, w.note) {
			t.Errorf("%s notes %q, want %q", c.Name, c.Notes, w.note)
		}
		for id, v := range w.verdicts {
			k, _ := check.Lookup(id)
			o := k.Evaluate(c)
			if o.Status != v.status || o.Location == nil || o.Location.Line != v.line {
				t.Errorf("%s %s: %s at %v, want %s at %d: %s", c.Name, id, o.Status, o.Location, v.status, v.line, o.Reason)
			}
		}
	}
	if !slices.Equal(names, []string{"eks-platform/cluster", "sandbox/eks"}) {
		t.Errorf("clusters %q", names)
	}
	pub := res.Resources[0].Cluster.EndpointPublicAccess.Detail
	if wantWhy := "spec.resourcesVPCConfig.endpointPublicAccess is the kro CEL expression ${schema.spec.publicAccess}, which kro evaluates for each instance of EKSCluster"; pub != wantWhy {
		t.Errorf("public endpoint: %q, want %q", pub, wantWhy)
	}
}

// TestKroValues: a CEL expression anywhere in a setting makes it unknown, naming it; a literal
// setting is read as in the object alone.
func TestKroValues(t *testing.T) {
	pub := func(c *model.Cluster) any { return c.EndpointPublicAccess }
	cidrs := func(c *model.Cluster) any { return c.PublicAccessCIDRs }
	logs := func(c *model.Cluster) any { return c.EnabledLogTypes }
	auth := func(c *model.Cluster) any { return c.AuthenticationMode }
	secrets := func(c *model.Cluster) any { return c.SecretsKeyARN }
	const sp = "          "
	tests := []struct {
		name  string
		src   string
		field func(*model.Cluster) any
		want  string // origin|value|part of the detail
	}{
		{"ACK literal", kroACK + sp + "resourcesVPCConfig:\n" + sp + "  endpointPublicAccess: false\n", pub, "explicit|false|"},
		{"ACK expression", kroACK + sp + "resourcesVPCConfig:\n" + sp + "  endpointPublicAccess: ${schema.spec.public}\n", pub,
			"unknown|false|spec.resourcesVPCConfig.endpointPublicAccess is the kro CEL expression ${schema.spec.public}, which kro evaluates for each instance of Platform"},
		{"ACK parent as one expression", kroACK + sp + "resourcesVPCConfig: ${schema.spec.vpc}\n", pub, "unknown|false|spec.resourcesVPCConfig is the kro CEL expression ${schema.spec.vpc}"},
		{"ACK expression inside a string", kroACK + sp + "resourcesVPCConfig:\n" + sp + "  publicAccessCIDRs: [\"${schema.spec.office}/32\"]\n", cidrs, "unknown|[]|the kro CEL expression ${schema.spec.office}"},
		{"ACK expression in a log entry", kroACK + sp + "resourcesVPCConfig: {}\n" + sp + "logging:\n" + sp + "  clusterLogging:\n" + sp + "    - enabled: ${schema.spec.logs}\n" + sp + "      types: [audit]\n", logs,
			"unknown|[]|spec.logging is the kro CEL expression ${schema.spec.logs}"},
		{"ACK accessConfig as one expression", kroACK + sp + "resourcesVPCConfig: {}\n" + sp + "accessConfig: ${schema.spec.access}\n", auth, "unknown||spec.accessConfig is the kro CEL expression"},
		{"ACK default", kroACK + sp + "resourcesVPCConfig: {}\n", secrets, "default||no spec.encryptionConfig"},
		{"CAPA expression", kroCAPA + sp + "endpointAccess:\n" + sp + "  public: ${schema.spec.public}\n", pub, "unknown|false|spec.endpointAccess.public is the kro CEL expression"},
		{"CAPA literal logging", kroCAPA + sp + "logging:\n" + sp + "  audit: true\n", logs, "explicit|[audit]|"},
		{"Upbound list of one", kroUpbound + sp + "  vpcConfig:\n" + sp + "    - endpointPublicAccess: ${schema.spec.public}\n", pub,
			"unknown|false|spec.forProvider.vpcConfig.endpointPublicAccess is the kro CEL expression ${schema.spec.public}"},
		{"Upbound initProvider", kroUpbound + sp + "  vpcConfig: [{}]\n" + sp + "initProvider:\n" + sp + "  enabledClusterLogTypes: ${schema.spec.logs}\n", logs,
			"unknown|[]|spec.initProvider.enabledClusterLogTypes is the kro CEL expression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan("a.yaml", []byte(tt.src))
			if len(res.Resources) != 1 {
				t.Fatalf("%d clusters, problems %v", len(res.Resources), res.Problems)
			}
			if name := res.Resources[0].Cluster.Name; name != "p/cluster" {
				t.Errorf("named %q", name)
			}
			got := strings.SplitN(describe(tt.field(res.Resources[0].Cluster)), "|", 3)
			want := strings.SplitN(tt.want, "|", 3)
			if got[0] != want[0] || got[1] != want[1] || !strings.Contains(got[2], want[2]) {
				t.Errorf("got %q, want %q", strings.Join(got, "|"), tt.want)
			}
		})
	}
}

// TestKroDocuments: which graphs are read, passed over or a problem.
func TestKroDocuments(t *testing.T) {
	tests := []struct {
		name, src string
		clusters  []string
		problem   string
		claimed   bool
	}{
		{"a graph of other kinds", rgd + "        apiVersion: eks.services.k8s.aws/v1alpha1\n        kind: Nodegroup\n        spec:\n          clusterName: x\n", nil, "", false},
		{"an external reference", "apiVersion: kro.run/v1alpha1\nkind: ResourceGraphDefinition\nmetadata:\n  name: p\nspec:\n  resources:\n    - id: c\n      externalRef:\n        apiVersion: eks.services.k8s.aws/v1alpha1\n        kind: Cluster\n        metadata:\n          name: shared\n", nil, "", false},
		{"a resource without an id", "apiVersion: kro.run/v1alpha1\nkind: ResourceGraphDefinition\nmetadata:\n  name: p\nspec:\n  resources:\n    - template:\n        apiVersion: eks.services.k8s.aws/v1alpha1\n        kind: Cluster\n        spec:\n          name: x\n          resourcesVPCConfig: {}\n",
			[]string{"p/spec.resources[0]"}, "", true},
		{"an unread version", rgd + "        apiVersion: eks.aws.upbound.io/v1beta3\n        kind: Cluster\n", nil, "a.yaml:14: Cluster eks.aws.upbound.io/v1beta3 is not read", true},
		{"an unread kro version", strings.Replace(kroACK, "kro.run/v1alpha1", "kro.run/v1beta1", 1), nil, "ResourceGraphDefinition kro.run/v1beta1 is not read; eksguard reads kro.run/v1alpha1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan("a.yaml", []byte(tt.src))
			var probs, names []string
			for _, p := range res.Problems {
				probs = append(probs, p.String())
			}
			for _, r := range res.Resources {
				names = append(names, r.Cluster.Name)
			}
			if got := strings.Join(probs, "\n"); tt.problem == "" && got != "" || !strings.Contains(got, tt.problem) {
				t.Errorf("problems %q, want %q", got, tt.problem)
			}
			if !slices.Equal(names, tt.clusters) || (len(res.Claimed) > 0) != tt.claimed {
				t.Errorf("clusters %q, claimed %v; want %q, %v", names, res.Claimed, tt.clusters, tt.claimed)
			}
		})
	}
}

// TestKroRoundTrip applies the fix every failing check asks for to each cluster of the kro fixture
// as a patch (git apply), scans the result and wants every check to pass, but the endpoint checks
// of eks-platform/cluster, whose public endpoint is a CEL expression: it is left out, naming it, and
// stays unknown.
func TestKroRoundTrip(t *testing.T) {
	const file = "kro-eks-platform.yaml"
	opts := check.Options{Endpoint: check.TargetPrivate, KMSKeyARN: key}
	data := readFixture(t, file)
	for i, r := range scanAt(file, "testdata/"+file, data).Resources {
		t.Run(r.Cluster.Name, func(t *testing.T) {
			fix, skipped, err := iac.PlanFix(r, wanted(r.Cluster, opts))
			if err != nil || fix == nil {
				t.Fatalf("fix %v, error %v", fix, err)
			}
			if !strings.Contains(fix.Description, "apply the ResourceGraphDefinition again") {
				t.Errorf("description %q", fix.Description)
			}
			patched := gitApply(t, file, data, fix)
			after := scan(file, patched)
			if len(after.Problems) > 0 {
				t.Fatalf("problems %v after:\n%s", after.Problems, patched)
			}
			cel := r.Cluster.Name == "eks-platform/cluster"
			if why := skipped[model.FieldEndpointPublicAccess]; cel != (why != "") || cel && !strings.Contains(why, "kro CEL expression ${schema.spec.publicAccess}") {
				t.Errorf("public endpoint left out: %q", why)
			}
			if cel && !strings.Contains(string(patched), "endpointPublicAccess: ${schema.spec.publicAccess}") {
				t.Errorf("the expression was edited:\n%s", patched)
			}
			c := after.Resources[i].Cluster
			for _, id := range checkIDs {
				k, _ := check.Lookup(id)
				want := finding.Pass
				if cel && strings.HasPrefix(id, "eks-endpoint") {
					want = finding.Unknown
				}
				if o := k.Evaluate(c); o.Status != want {
					t.Errorf("%s after %q: %s, want %s: %s\n%s", id, fix.Description, o.Status, want, o.Reason, patched)
				}
			}
		})
	}
}
