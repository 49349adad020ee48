package cloudformation

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

func readFile(t testing.TB, path string, explicit bool) *iac.File {
	t.Helper()
	data, err := os.ReadFile(filepath.FromSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	return &iac.File{Path: filepath.FromSlash(path), Name: path, Data: data, Explicit: explicit}
}

func scan(files ...*iac.File) iac.Result {
	return New().Scan(&iac.Input{Files: files}, iac.Options{})
}

func findResource(res iac.Result, name string) *iac.Resource {
	for i := range res.Resources {
		if res.Resources[i].Cluster.Name == name {
			return &res.Resources[i]
		}
	}
	return nil
}

// verdict is what the benchmark says about one cluster: status and decisive line for 5.4.1 and 5.4.2.
type verdict struct {
	s541, s542 finding.Status
	l541, l542 int
	r541       string
}

func evaluate(t testing.TB, c *model.Cluster) verdict {
	t.Helper()
	var v verdict
	for _, r := range benchmark.Default().EvaluateCluster(c) {
		line := 0
		if r.Location != nil {
			line = r.Location.Line
			if r.Location.File != c.Loc.File {
				t.Errorf("%s location file %q, want %q", r.Control, r.Location.File, c.Loc.File)
			}
		}
		switch r.Control {
		case "5.4.1":
			v.s541, v.l541, v.r541 = r.Status, line, r.Reason
		case "5.4.2":
			v.s542, v.l542 = r.Status, line
		}
	}
	return v
}

// TestClusters covers every way a CloudFormation or CDK template writes the endpoint settings
// (docs/iac-cloudformation-eksctl.md): every case with
// its 5.4.1 and 5.4.2 verdicts and the line that decides each.
func TestClusters(t *testing.T) {
	P, F, U := finding.Pass, finding.Fail, finding.Unknown
	tests := []struct {
		name, file, resource string
		kind                 string // default AWS::EKS::Cluster
		want541, want542     finding.Status
		line541, line542     int
		reason               string // substring of the 5.4.1 reason
		pubOrigin            model.Origin
		note                 string
	}{
		// Literal booleans.
		{name: "literal public on, private off", file: "literal.yaml", resource: "Open", want541: F, want542: F, line541: 10, line542: 10, reason: "0.0.0.0/0", pubOrigin: model.OriginExplicit},
		{name: "literal private only", file: "literal.yaml", resource: "Private", want541: P, want542: P, line541: 19, line542: 19},
		{name: "literal restricted with private on", file: "literal.yaml", resource: "Restricted", want541: P, want542: F, line541: 29, line542: 27, reason: "restricted to 1 block"},
		{name: "allowlist but private defaults off", file: "literal.yaml", resource: "RestrictedPrivateOff", want541: F, want542: F, line541: 31, line542: 31, reason: "private access is off", pubOrigin: model.OriginDefault},
		{name: "nothing set: AWS defaults decide at the resource", file: "literal.yaml", resource: "Defaults", want541: F, want542: F, line541: 37, line542: 37, pubOrigin: model.OriginDefault},
		{name: "world in two halves", file: "literal.yaml", resource: "WorldInHalves", want541: F, want542: F, line541: 49, line542: 43, reason: "every IPv4 address"},
		{name: "empty allowlist is the EKS default", file: "literal.yaml", resource: "EmptyCidrs", want541: F, want542: F, line541: 56, line542: 50, reason: "publicAccessCidrs is empty"},
		// "true"/"false" strings and odd spellings.
		{name: "quoted booleans", file: "strings.yaml", resource: "QuotedPrivate", want541: P, want542: P, line541: 8, line542: 8, pubOrigin: model.OriginExplicit},
		{name: "quoted True and false", file: "strings.yaml", resource: "QuotedOpen", want541: F, want542: F, line541: 15, line542: 15},
		{name: "capitalised YAML booleans", file: "strings.yaml", resource: "CapitalisedBool", want541: P, want542: P, line541: 22, line542: 22},
		{name: "yes is not a CloudFormation boolean", file: "strings.yaml", resource: "NotABool", want541: U, want542: U, line541: 29, line542: 29, reason: `"yes", not a boolean`, pubOrigin: model.OriginUnknown},
		{name: "null value", file: "strings.yaml", resource: "NullValue", want541: U, want542: U, line541: 36, line542: 36, reason: "null"},
		// !Ref to parameters.
		{name: "Ref parameters with defaults", file: "params.yaml", resource: "ParamPrivate", want541: P, want542: P, line541: 25, line542: 25, pubOrigin: model.OriginExplicit},
		{name: "Ref parameter without default", file: "params.yaml", resource: "ParamNoDefault", want541: U, want542: U, line541: 32, line542: 32, reason: "parameter NoDefault has no Default", pubOrigin: model.OriginUnknown},
		{name: "Ref CommaDelimitedList default", file: "params.yaml", resource: "ParamCidrs", want541: P, want542: F, line541: 41, line542: 39, reason: "2 blocks"},
		{name: "Ref SSM parameter", file: "params.yaml", resource: "ParamSSM", want541: U, want542: U, line541: 47, line542: 47, reason: "SSM Parameter Store"},
		// EKS keeps one endpoint on: with private access off, the public endpoint is on whatever the
		// parameter holds, and the default allowlist is open.
		{name: "unknown public with private defaulted off", file: "params.yaml", resource: "PrivateOffUnknownPublic", want541: F, want542: F, line541: 54, line542: 54, reason: "has no Default"},
		// !If with conditions.
		{name: "If with resolvable conditions", file: "conditions.yaml", resource: "IfResolved", want541: P, want542: P, line541: 21, line542: 21},
		{name: "If with a condition on a parameter without default", file: "conditions.yaml", resource: "IfUnresolved", want541: U, want542: U, line541: 28, line542: 28, reason: "condition StageIsProd cannot be evaluated (parameter Stage has no Default)"},
		{name: "If with And that cannot be decided", file: "conditions.yaml", resource: "IfAndUnresolved", want541: U, want542: U, line541: 35, line542: 35, reason: "condition ProdAndStage"},
		{name: "And short-circuits on a false part", file: "conditions.yaml", resource: "IfAndShortCircuit", want541: P, want542: P, line541: 42, line542: 42},
		{name: "If whose branches agree", file: "conditions.yaml", resource: "IfBranchesAgree", want541: P, want542: P, line541: 49, line542: 49},
		{name: "If around the whole ResourcesVpcConfig", file: "conditions.yaml", resource: "IfWholeConfig", want541: U, want542: U, line541: 54, line542: 54, reason: "depends on condition StageIsProd"},
		{name: "If on an undefined condition", file: "conditions.yaml", resource: "UndefinedCondition", want541: U, want542: U, line541: 63, line542: 63, reason: "condition Missing is not defined"},
		{name: "resource Condition that cannot be decided", file: "conditions.yaml", resource: "MaybeCreated", want541: P, want542: P, line541: 77, line542: 77, note: "created only when condition StageIsProd holds"},
		// !Ref AWS::NoValue and missing PublicAccessCidrs.
		{name: "Ref AWS::NoValue leaves the public default", file: "novalue.yaml", resource: "NoValuePublic", want541: F, want542: F, line541: 14, line542: 14, pubOrigin: model.OriginDefault},
		{name: "NoValue in If and in a list", file: "novalue.yaml", resource: "NoValueViaIf", want541: P, want542: F, line541: 23, line542: 22, reason: "1 block (1 IPv4 address)"},
		{name: "missing PublicAccessCidrs on a dual-stack cluster", file: "missing-cidrs.yaml", resource: "PublicNoCidrs", want541: F, want542: F, line541: 11, line542: 11, reason: "0.0.0.0/0"},
		// JSON long form.
		{name: "json literal", file: "template.json", resource: "JsonOpen", want541: F, want542: F, line541: 17, line542: 17},
		{name: "json Fn::If", file: "template.json", resource: "JsonIf", want541: P, want542: P, line541: 27, line542: 27},
		{name: "json Ref without default", file: "template.json", resource: "JsonRefNoDefault", want541: U, want542: U, line541: 37, line542: 37, reason: "parameter PublicAccess has no Default"},
		{name: "json Ref AWS::NoValue", file: "template.json", resource: "JsonNoValue", want541: F, want542: F, line541: 49, line542: 47, pubOrigin: model.OriginDefault},
		{name: "json without ResourcesVpcConfig", file: "template.json", resource: "JsonNoVpcConfig", want541: F, want542: F, line541: 55, line542: 55},
		{name: "json empty ResourcesVpcConfig", file: "template.json", resource: "JsonEmptyVpcConfig", want541: F, want542: F, line541: 61, line542: 61},
		// Other intrinsics.
		{name: "Fn::Sub in the allowlist", file: "intrinsics.yaml", resource: "Sub", want541: P, want542: F, line541: 23, line542: 17, reason: "2 blocks"},
		{name: "Fn::Join, Fn::Split and Fn::Select", file: "intrinsics.yaml", resource: "JoinSplitSelect", want541: P, want542: F, line541: 32, line542: 26},
		{name: "Fn::FindInMap", file: "intrinsics.yaml", resource: "FindInMap", want541: P, want542: P, line541: 38, line542: 38},
		{name: "Fn::FindInMap without an entry", file: "intrinsics.yaml", resource: "FindInMapMissing", want541: U, want542: F, line541: 48, line542: 46, reason: "finds no Access/us/Cidrs"},
		{name: "Fn::GetAtt", file: "intrinsics.yaml", resource: "GetAtt", want541: U, want542: U, line541: 54, line542: 54, reason: "Fn::GetAtt Settings.Public is only known at deploy time"},
		{name: "Fn::ImportValue", file: "intrinsics.yaml", resource: "ImportValue", want541: U, want542: F, line541: 63, line542: 61, reason: "Fn::ImportValue shared-office-cidrs"},
		{name: "pseudo parameter", file: "intrinsics.yaml", resource: "Pseudo", want541: U, want542: F, line541: 71, line542: 69, reason: "pseudo parameter AWS::Region"},
		{name: "long form intrinsics in YAML", file: "intrinsics.yaml", resource: "LongFormInYaml", want541: F, want542: F, line541: 77, line542: 77, reason: "condition Never"},
		// AWSQS::EKS::Cluster.
		{name: "AWSQS restricted", file: "awsqs.yaml", resource: "QuickStart", kind: TypeQuickStart, want541: P, want542: F, line541: 11, line542: 9},
		{name: "AWSQS defaults", file: "awsqs.yaml", resource: "QuickStartDefault", kind: TypeQuickStart, want541: F, want542: F, line541: 12, line542: 12},
		// CDK synth output, both resource types.
		{name: "cdk native AWS::EKS::Cluster", file: "cdk.out/NativeStack.template.json", resource: "ClusterEB0386A7", want541: F, want542: F, line541: 8, line542: 8, note: "NativeStack/Cluster/Resource"},
		{name: "cdk custom resource, default endpoint access", file: "cdk.out/LegacyStack.template.json", resource: "Cluster9EE0221C", kind: TypeCDKResource, want541: F, want542: F, line541: 26, line542: 26, note: "generated by the AWS CDK"},
		{name: "cdk custom resource, private", file: "cdk.out/LegacyStack.template.json", resource: "PrivateCluster", kind: TypeCDKResource, want541: P, want542: P, line541: 48, line542: 48},
		{name: "cdk custom resource, onlyFrom", file: "cdk.out/LegacyStack.template.json", resource: "RestrictedCluster", kind: TypeCDKResource, want541: P, want542: F, line541: 61, line542: 59},
	}
	results := map[string]iac.Result{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "testdata/" + tt.file
			res, ok := results[path]
			if !ok {
				res = scan(readFile(t, path, false))
				results[path] = res
			}
			r := findResource(res, tt.resource)
			if r == nil {
				t.Fatalf("no resource %s in %s (problems %v)", tt.resource, tt.file, res.Problems)
			}
			c := r.Cluster
			kind := tt.kind
			if kind == "" {
				kind = TypeCluster
			}
			if c.Kind != kind || c.Source != model.SourceCloudFormation || c.Loc == nil || c.Loc.File != path {
				t.Errorf("kind %q source %q loc %v", c.Kind, c.Source, c.Loc)
			}
			v := evaluate(t, c)
			if v.s541 != tt.want541 || v.s542 != tt.want542 {
				t.Errorf("5.4.1 %s, 5.4.2 %s; want %s, %s (%s)", v.s541, v.s542, tt.want541, tt.want542, v.r541)
			}
			if v.l541 != tt.line541 || v.l542 != tt.line542 {
				t.Errorf("lines 5.4.1 %d, 5.4.2 %d; want %d, %d", v.l541, v.l542, tt.line541, tt.line542)
			}
			if !strings.Contains(v.r541, tt.reason) {
				t.Errorf("5.4.1 reason %q does not contain %q", v.r541, tt.reason)
			}
			if tt.pubOrigin != "" && c.EndpointPublicAccess.Origin != tt.pubOrigin {
				t.Errorf("public origin %s, want %s", c.EndpointPublicAccess.Origin, tt.pubOrigin)
			}
			if tt.note != "" && !strings.Contains(strings.Join(c.Notes, "\n"), tt.note) {
				t.Errorf("notes %q lack %q", c.Notes, tt.note)
			}
		})
	}
}

func TestResourcesNotReported(t *testing.T) {
	tests := []struct {
		name, file, resource string
	}{
		{"not an EKS cluster", "literal.yaml", "NotACluster"},
		{"resource Condition is false", "conditions.yaml", "NotCreated"},
		{"custom resource of another kind", "intrinsics.yaml", "Settings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan(readFile(t, "testdata/"+tt.file, false))
			if r := findResource(res, tt.resource); r != nil {
				t.Errorf("%s reported as a cluster", tt.resource)
			}
		})
	}
}

func TestDefaultsAndDetails(t *testing.T) {
	res := scan(readFile(t, "testdata/literal.yaml", false), readFile(t, "testdata/missing-cidrs.yaml", false), readFile(t, "testdata/params.yaml", false))
	tests := []struct {
		name, resource string
		check          func(*model.Cluster) string
	}{
		{"defaults are AWS defaults", "Defaults", func(c *model.Cluster) string {
			if c.EndpointPublicAccess != model.Default(true, "AWS default") || c.EndpointPrivateAccess != model.Default(false, "AWS default") {
				return "booleans not AWS defaults"
			}
			if c.PublicAccessCIDRs.Origin != model.OriginDefault || strings.Join(c.PublicAccessCIDRs.Values, ",") != "0.0.0.0/0" || c.PublicAccessCIDRs.Detail != "AWS default" {
				return "cidrs not the AWS default"
			}
			return ""
		}},
		{"dual-stack default allowlist", "PublicNoCidrs", func(c *model.Cluster) string {
			if strings.Join(c.PublicAccessCIDRs.Values, ",") != "0.0.0.0/0,::/0" || c.IPFamily != "ipv6" || c.Version != "1.31" {
				return "want dual-stack default, ipv6, version 1.31"
			}
			return ""
		}},
		{"parameter default named in the detail", "ParamPrivate", func(c *model.Cluster) string {
			if c.EndpointPublicAccess.Detail != "parameter PublicAccess Default" {
				return "detail " + c.EndpointPublicAccess.Detail
			}
			return ""
		}},
		{"explicit attributes point at their lines", "Restricted", func(c *model.Cluster) string {
			if c.EndpointPublicAccess.Loc.Line != 27 || c.EndpointPrivateAccess.Loc.Line != 28 || c.PublicAccessCIDRs.Loc.Line != 29 || c.Loc.Line != 21 {
				return "wrong lines"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := findResource(res, tt.resource)
			if r == nil {
				t.Fatal("missing")
			}
			if msg := tt.check(r.Cluster); msg != "" {
				t.Errorf("%s: %+v", msg, r.Cluster)
			}
		})
	}
}

// TestRecognition covers which files are templates, which broken files are problems and which are
// left to other adapters.
func TestRecognition(t *testing.T) {
	file := func(name, data string, explicit bool) *iac.File {
		return &iac.File{Path: name, Name: name, Data: []byte(data), Explicit: explicit}
	}
	tests := []struct {
		name        string
		file        *iac.File
		claimed     bool
		problemLine int    // 0: no problem expected
		problem     string // substring
		resources   int
	}{
		{name: "broken YAML template", file: readFile(t, "testdata/broken.yaml", false), claimed: true, problemLine: 7, problem: "not valid YAML"},
		{name: "broken JSON template", file: readFile(t, "testdata/broken.json", false), claimed: true, problemLine: 8, problem: "not valid JSON: invalid character '}'"},
		{name: "helm chart found by walking", file: readFile(t, "testdata/notours/chart/templates/deployment.yaml", false)},
		{name: "helm chart named explicitly", file: readFile(t, "testdata/notours/chart/templates/deployment.yaml", true), claimed: true, problemLine: 6, problem: "not valid YAML"},
		{name: "broken package.json found by walking", file: readFile(t, "testdata/notours/package.json", false)},
		{name: "broken package.json named explicitly", file: readFile(t, "testdata/notours/package.json", true), claimed: true, problemLine: 5, problem: "not valid JSON"},
		{name: "kubernetes manifest named explicitly", file: readFile(t, "testdata/notours/k8s.yaml", true)},
		{name: "nested Resources of a serverless file", file: readFile(t, "testdata/notours/serverless.yml", true)},
		{name: "broken eksctl config named explicitly is eksctl's", file: file("c.yaml", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nvpc:\n  a: 1\n b: 2\n", true)},
		{name: "terraform file is not a candidate", file: file("main.tf", "resource \"aws_eks_cluster\" \"x\" {", true)},
		{name: "empty explicit file", file: file("empty.yaml", "", true)},
		{name: "template with only a version", file: file("t.template", "AWSTemplateFormatVersion: '2010-09-09'\n", false), claimed: true},
		{name: "template without version, found by resource types", file: file("t.yml", "Resources:\n  C:\n    Type: AWS::EKS::Cluster\n", false), claimed: true, resources: 1},
		{name: "YAML template in a .template file that starts like JSON", file: file("flow.template", "{Resources: {C: {Type: AWS::EKS::Cluster}},}\n", false), claimed: true, resources: 1},
		{name: "JSON with a byte order mark", file: file("bom.json", "\xef\xbb\xbf{\"Resources\": {\"C\": {\"Type\": \"AWS::EKS::Cluster\"}}}", false), claimed: true, resources: 1},
		{name: "clusters in Fn::ForEach are expanded", file: file("foreach.yaml", "Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Clusters:\n    - Name\n    - [a, b]\n    - Cluster${Name}:\n        Type: AWS::EKS::Cluster\n  Bucket:\n    Type: AWS::S3::Bucket\n", false), claimed: true, resources: 2},
		{name: "Fn::ForEach without the transform", file: file("foreach.yaml", "Resources:\n  Fn::ForEach::Clusters:\n    - Name\n    - [a, b]\n    - Cluster${Name}:\n        Type: AWS::EKS::Cluster\n", false), claimed: true, problemLine: 2, problem: "Fn::ForEach::Clusters needs Transform: AWS::LanguageExtensions"},
		{name: "broken file that mentions AWS::EKS::Cluster", file: file("x.yaml", "Resources:\n  C:\n    Type: AWS::EKS::Cluster\n   Properties: {\n", false), claimed: true, problemLine: 4, problem: "not valid YAML"},
		{name: "ECR repositories alone, found by walking", file: file("ecr.yml", "Resources:\n  R:\n    Type: AWS::ECR::Repository\n", false), claimed: true},
		{name: "registry scanning configuration alone, in JSON", file: file("scan.json", `{"Resources": {"S": {"Type": "AWS::ECR::RegistryScanningConfiguration", "Properties": {"ScanType": "BASIC", "Rules": []}}}}`, false), claimed: true},
		{name: "broken file that mentions AWS::ECR::Repository", file: file("x.yaml", "Resources:\n  R:\n    Type: AWS::ECR::Repository\n   Properties: {\n", false), claimed: true, problemLine: 4, problem: "not valid YAML"},
		{name: "add-ons without their cluster, found by walking", file: file("addons.yaml", "Resources:\n  A:\n    Type: AWS::EKS::Addon\n", false)},
		{name: "neither EKS nor ECR, found by walking", file: file("bucket.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n", false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan(tt.file)
			if got := len(res.Claimed) == 1 && res.Claimed[0] == tt.file.Name; got != tt.claimed {
				t.Errorf("claimed %v, want %v", res.Claimed, tt.claimed)
			}
			if tt.problemLine == 0 && len(res.Problems) > 0 {
				t.Errorf("unexpected problems %v", res.Problems)
			}
			if tt.problemLine > 0 {
				if len(res.Problems) != 1 || res.Problems[0].Line != tt.problemLine || res.Problems[0].File != tt.file.Name || !strings.Contains(res.Problems[0].Message, tt.problem) {
					t.Errorf("problems %v, want one at line %d with %q", res.Problems, tt.problemLine, tt.problem)
				}
				code := finding.ProblemSyntax
				if strings.Contains(tt.problem, "Fn::ForEach") {
					code = finding.ProblemInvalid
				}
				for _, p := range res.Problems {
					if p.Code != code {
						t.Errorf("problem %v has code %q, want %q", p, p.Code, code)
					}
				}
			}
			if len(res.Resources) != tt.resources {
				t.Errorf("%d resources, want %d", len(res.Resources), tt.resources)
			}
		})
	}
}

func TestScanNilInput(t *testing.T) {
	res := New().Scan(nil, iac.Options{})
	if len(res.Resources)+len(res.Problems)+len(res.Claimed) != 0 {
		t.Errorf("got %+v", res)
	}
	if New().Name() != "cloudformation" {
		t.Errorf("name %q", New().Name())
	}
}
