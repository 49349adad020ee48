package kubernetes

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

func scan(name string, data []byte) iac.Result { return scanAt(name, name, data) }

// scanAt reads data as the file name at path, where a patch is rendered from.
func scanAt(name, path string, data []byte) iac.Result {
	var res iac.Result
	scanFile(&iac.File{Name: name, Path: path, Data: data}, &res)
	return res
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// verdict is what one check says of one cluster, and the line it points at.
type verdict struct {
	status finding.Status
	line   int
}

// The five checks, in the order the table lists them.
var checkIDs = []string{"eks-endpoint-restricted", "eks-endpoint-private", "eks-audit-logging", "eks-access-api", "eks-secrets-encryption"}

func verdicts(v ...any) map[string]verdict {
	out := map[string]verdict{}
	for i := 0; i < len(v); i += 2 {
		out[checkIDs[i/2]] = verdict{v[i].(finding.Status), v[i+1].(int)}
	}
	return out
}

const (
	pass    = finding.Pass
	fail    = finding.Fail
	unknown = finding.Unknown
)

// TestScan reads the fixtures: the clusters each file declares (by namespace/name, at their
// metadata.name line) and every check's verdict on them with the line that decided it.
func TestScan(t *testing.T) {
	tests := []struct {
		file     string
		clusters map[string]map[string]verdict
		locs     map[string]int
		problems []string
	}{
		{
			file: "capi-template.yaml",
			locs: map[string]int{"${CLUSTER_NAME}-control-plane": 30},
			clusters: map[string]map[string]verdict{
				// public on with a placeholder allowlist: not private whatever it is, restricted unknown.
				"${CLUSTER_NAME}-control-plane": verdicts(unknown, 38, fail, 36, fail, 40, pass, 44, unknown, 46),
			},
		},
		{
			file: "ack-cluster.yaml",
			locs: map[string]int{"infra/prod": 20, "sandbox": 58},
			clusters: map[string]map[string]verdict{
				"infra/prod": verdicts(pass, 30, pass, 30, pass, 35, fail, 20, pass, 40),
				"sandbox":    verdicts(fail, 58, fail, 58, fail, 58, fail, 58, fail, 58),
			},
		},
		{
			file:     "crlf.yaml",
			locs:     map[string]int{"capi/windows-edited": 4},
			clusters: map[string]map[string]verdict{"capi/windows-edited": verdicts(fail, 4, fail, 4, fail, 4, fail, 4, fail, 4)},
		},
		{
			file:     "capa-v1beta2.yaml",
			locs:     map[string]int{"capi-payments/payments": 4},
			clusters: map[string]map[string]verdict{"capi-payments/payments": verdicts(pass, 14, pass, 14, pass, 16, pass, 23, pass, 26)},
		},
		{
			file:     "capa-v1beta1.yaml",
			locs:     map[string]int{"legacy": 4},
			clusters: map[string]map[string]verdict{"legacy": verdicts(pass, 10, fail, 9, pass, 12, fail, 4, pass, 19)},
		},
		{
			// Pipeline mode: the VPC and the Role are passed over; a patch decides the public endpoint,
			// so both endpoint checks are unknown at the patch; the rest is read from the base.
			file:     "crossplane-composition.yaml",
			locs:     map[string]int{"xeks.platform.example.org/cluster": 48},
			clusters: map[string]map[string]verdict{"xeks.platform.example.org/cluster": verdicts(unknown, 71, unknown, 71, fail, 62, pass, 66, fail, 48)},
		},
		{
			// v1beta1's lists of one, the mode from initProvider; the namespaced group says nothing.
			file: "upbound-v1beta1.yaml",
			locs: map[string]int{"analytics": 6, "team-a/sandbox": 36},
			clusters: map[string]map[string]verdict{
				"analytics":      verdicts(pass, 19, fail, 6, pass, 21, pass, 28, pass, 25),
				"team-a/sandbox": verdicts(fail, 36, fail, 36, fail, 36, fail, 36, fail, 36),
			},
		},
		{
			file:     "crossplane-classic.yaml",
			locs:     map[string]int{"payments": 5},
			clusters: map[string]map[string]verdict{"payments": verdicts(fail, 15, fail, 14, fail, 21, pass, 27, pass, 31)},
		},
		{
			// The broken Helm Deployment is not ours and is passed over; the broken control plane is
			// reported where the parser gave up.
			file:     "broken.yaml",
			problems: []string{"broken.yaml:13: cannot parse the Kubernetes object: did not find expected ',' or ']'"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := scan(tt.file, readFixture(t, tt.file))
			var probs []string
			for _, p := range res.Problems {
				probs = append(probs, p.String())
			}
			if strings.Join(probs, "\n") != strings.Join(tt.problems, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(probs, "\n"), strings.Join(tt.problems, "\n"))
			}
			if len(res.Claimed) != 1 || res.Claimed[0] != tt.file {
				t.Errorf("claimed %v", res.Claimed)
			}
			if len(res.Resources) != len(tt.clusters) {
				t.Fatalf("%d clusters, want %d", len(res.Resources), len(tt.clusters))
			}
			for _, r := range res.Resources {
				cl := r.Cluster
				want, ok := tt.clusters[cl.Name]
				if !ok {
					t.Errorf("unexpected cluster %q", cl.Name)
					continue
				}
				if cl.Source != model.SourceKubernetes || cl.Loc == nil || cl.Loc.File != tt.file || cl.Loc.Line != tt.locs[cl.Name] {
					t.Errorf("%s: source %s at %+v, want line %d", cl.Name, cl.Source, cl.Loc, tt.locs[cl.Name])
				}
				for _, id := range checkIDs {
					k, _ := check.Lookup(id)
					o := k.Evaluate(cl)
					got := verdict{o.Status, 0}
					if o.Location != nil {
						got.line = o.Location.Line
					}
					if got != want[id] {
						t.Errorf("%s %s: %s at line %d, want %s at line %d: %s", cl.Name, id, got.status, got.line, want[id].status, want[id].line, o.Reason)
					}
				}
			}
		})
	}
}

const key = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// TestValues reads one setting of one small object: how values, placeholders, nulls and defaults
// come out, and what is a problem.
func TestValues(t *testing.T) {
	capa := "apiVersion: controlplane.cluster.x-k8s.io/v1beta2\nkind: AWSManagedControlPlane\nmetadata:\n  name: a\nspec:\n"
	ack := "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: Cluster\nmetadata:\n  name: a\nspec:\n  name: a\n  resourcesVPCConfig:\n    subnetIDs: [subnet-1, subnet-2]\n"
	pub := func(c *model.Cluster) any { return c.EndpointPublicAccess }
	cidrs := func(c *model.Cluster) any { return c.PublicAccessCIDRs }
	logs := func(c *model.Cluster) any { return c.EnabledLogTypes }
	auth := func(c *model.Cluster) any { return c.AuthenticationMode }
	secrets := func(c *model.Cluster) any { return c.SecretsKeyARN }
	tests := []struct {
		name    string
		src     string
		field   func(*model.Cluster) any
		want    string // the value's origin and value, and a part of its detail
		problem string
	}{
		{"YAML 1.1 boolean", capa + "  endpointAccess:\n    public: off\n    private: on\n", pub, "explicit|false|", ""},
		{"quoted boolean", capa + "  endpointAccess:\n    public: \"false\"\n", pub, `unknown|false|spec.endpointAccess.public is the string "false"`, ""},
		{"clusterctl default placeholder", capa + "  endpointAccess:\n    public: ${EKS_PUBLIC:=false}\n", pub, "unknown|false|the placeholder ${EKS_PUBLIC:=false}", ""},
		{"envsubst placeholder", capa + "  endpointAccess:\n    public: $EKS_PUBLIC\n", pub, "unknown|false|the placeholder $EKS_PUBLIC", ""},
		{"null", capa + "  endpointAccess:\n    public: null\n", pub, "default|true|CAPA leaves it out", ""},
		{"IPv6 default allowlist", capa + "  network:\n    vpc:\n      ipv6: {}\n", cidrs, "default|[0.0.0.0/0 ::/0]|EKS default", ""},
		{"empty allowlist", capa + "  endpointAccess:\n    publicCIDRs: []\n", cidrs, "default|[0.0.0.0/0]|is empty", ""},
		{"CAPA logging defaults to false", capa + "  logging:\n    audit: true\n", logs, "explicit|[audit]|", ""},
		{"CAPA logging placeholder", capa + "  logging:\n    audit: ${AUDIT}\n", logs, "unknown|[]|${AUDIT}", ""},
		{"CAPA mode is lower-case", capa + "  accessConfig:\n    authenticationMode: api_and_config_map\n", auth, "explicit|API_AND_CONFIG_MAP|", ""},
		{"CAPA accessConfig without mode", capa + "  accessConfig:\n    bootstrapClusterCreatorAdminPermissions: true\n", auth, "default|CONFIG_MAP|CRD default", ""},
		{"CAPA mode the CRD rejects", capa + "  accessConfig:\n    authenticationMode: API\n", auth, `unknown||"API" is not one the CRD allows`,
			`a.yaml:7:5: spec.accessConfig.authenticationMode "API" is not one the CRD allows`},
		{"CAPA v1beta1 accessConfig", strings.Replace(capa, "v1beta2", "v1beta1", 1) + "  accessConfig:\n    authenticationMode: api\n", auth, "unknown||not a field",
			"a.yaml:6:3: spec.accessConfig is not a field of controlplane.cluster.x-k8s.io/v1beta1"},
		{"ACK accessConfig as one placeholder", ack + "  accessConfig: ${ACCESS_CONFIG}\n", auth, "unknown||the placeholder ${ACCESS_CONFIG}", ""},
		{"CAPA encryption without resources", capa + "  encryptionConfig:\n    provider: " + key + "\n", secrets, "default||without a provider and resources", ""},
		{"CAPA encryption of other resources", capa + "  encryptionConfig:\n    provider: " + key + "\n    resources: [configmaps]\n", secrets, "explicit||does not list secrets", ""},
		{"ACK logging entry without enabled", ack + "  logging:\n    clusterLogging:\n      - types: [audit]\n", logs, "unknown|[]|has no enabled", ""},
		{"ACK logging with an unknown type", ack + "  logging:\n    clusterLogging:\n      - enabled: true\n        types: [Audit]\n", logs, `unknown|[]|lists "Audit"`, ""},
		{"ACK logging enabled and disabled", ack + "  logging:\n    clusterLogging:\n      - enabled: true\n        types: [audit, api]\n      - enabled: false\n        types: [scheduler]\n", logs, "explicit|[audit api]|", ""},
		{"ACK mode as written", ack + "  accessConfig:\n    authenticationMode: API\n", auth, "explicit|API|", ""},
		{"ACK key ARN", ack + "  encryptionConfig:\n    - resources: [secrets]\n      provider:\n        keyARN: " + key + "\n", secrets, "explicit|" + key + "|", ""},
		{"ACK key missing", ack + "  encryptionConfig:\n    - resources: [secrets]\n", secrets, "unknown||neither keyARN nor keyRef", ""},
		{"ACK local cluster", ack + "  outpostConfig:\n    controlPlaneInstanceType: m5.large\n", pub, "unknown|false|local cluster on Outposts", ""},
		{"ACK without resourcesVPCConfig", "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: Cluster\nmetadata:\n  name: a\nspec:\n  name: a\n", pub, "default|true|ACK leaves it out",
			"a.yaml:2:1: spec.resourcesVPCConfig is missing; the CRD requires it"},
		{"flow-style object", "{apiVersion: eks.services.k8s.aws/v1alpha1, kind: Cluster, metadata: {name: a}, spec: {name: a, resourcesVPCConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}}}\n", pub, "explicit|false|", ""},
		{"after a document end", "apiVersion: v1\nkind: ConfigMap\n...\n" + ack + "  resourcesVPCConfig:\n    endpointPublicAccess: false\n", pub, "explicit|false|", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan("a.yaml", []byte(tt.src))
			var probs []string
			for _, p := range res.Problems {
				probs = append(probs, p.String())
			}
			if got := strings.Join(probs, "\n"); tt.problem == "" && got != "" || !strings.Contains(got, tt.problem) {
				t.Errorf("problems %q, want %q", got, tt.problem)
			}
			if len(res.Resources) != 1 {
				t.Fatalf("%d clusters", len(res.Resources))
			}
			got := strings.SplitN(describe(tt.field(res.Resources[0].Cluster)), "|", 3)
			want := strings.SplitN(tt.want, "|", 3)
			if got[0] != want[0] || got[1] != want[1] || !strings.Contains(got[2], want[2]) {
				t.Errorf("got %q, want %q", strings.Join(got, "|"), tt.want)
			}
		})
	}
}

func describe(v any) string {
	switch v := v.(type) {
	case model.Bool:
		return fmt.Sprintf("%s|%t|%s", v.Origin, v.Value, v.Detail)
	case model.Strings:
		return fmt.Sprintf("%s|[%s]|%s", v.Origin, strings.Join(v.Values, " "), v.Detail)
	case model.String:
		return fmt.Sprintf("%s|%s|%s", v.Origin, v.Value, v.Detail)
	}
	return ""
}

// TestOtherDocuments: documents of other kinds, in the groups read or not, are passed over without a
// problem, parse or not; another version of a kind read is a problem.
func TestOtherDocuments(t *testing.T) {
	tests := []struct {
		name, src, problem string
		claimed            bool
	}{
		{"no group named", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n", "", false},
		{"a reference to the group", "apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nspec:\n  controlPlaneRef:\n    apiVersion: controlplane.cluster.x-k8s.io/v1beta2\n    kind: AWSManagedControlPlane\n", "", false},
		{"a broken document of another kind", "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: Nodegroup\nspec: [\n", "", false},
		{"a CRD of the kind", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: eks.services.k8s.aws\n  names:\n    kind: Cluster\n  versions:\n    - name: eks.services.k8s.aws/v1alpha1\n", "", false},
		{"an old version", "apiVersion: controlplane.cluster.x-k8s.io/v1alpha4\nkind: AWSManagedControlPlane\nmetadata:\n  name: old\n",
			"a.yaml:1: AWSManagedControlPlane controlplane.cluster.x-k8s.io/v1alpha4 is not read; eksguard reads controlplane.cluster.x-k8s.io/v1beta1 and controlplane.cluster.x-k8s.io/v1beta2", true},
		{"a Helm template of the kind", "{{- if .Values.cluster.enabled }}\napiVersion: eks.services.k8s.aws/v1alpha1\nkind: Cluster\nmetadata:\n  name: {{ .Values.name }}\n{{- end }}\n",
			"cannot parse the Kubernetes object", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan("a.yaml", []byte(tt.src))
			var probs []string
			for _, p := range res.Problems {
				probs = append(probs, p.String())
			}
			got := strings.Join(probs, "\n")
			if tt.problem == "" && got != "" || !strings.Contains(got, tt.problem) {
				t.Errorf("problems %q, want %q", got, tt.problem)
			}
			if len(res.Resources) != 0 || (len(res.Claimed) > 0) != tt.claimed {
				t.Errorf("%d clusters, claimed %v", len(res.Resources), res.Claimed)
			}
		})
	}
}
