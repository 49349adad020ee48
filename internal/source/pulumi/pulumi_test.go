package pulumi

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

// input reads every file of a testdata folder, named as a walk from testdata would name them.
func input(t *testing.T, dir string) *iac.Input {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	in := &iac.Input{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		in.Files = append(in.Files, &iac.File{Path: p, Name: filepath.ToSlash(p), Data: data})
	}
	return in
}

// verdict is what one check says of one cluster, and the line it points at.
type verdict struct {
	status finding.Status
	line   int
}

// The five checks, in the order the tables list them.
var checkIDs = []string{"eks-endpoint-restricted", "eks-endpoint-private", "eks-audit-logging", "eks-access-api", "eks-secrets-encryption"}

func verdicts(v ...any) map[string]verdict {
	out := map[string]verdict{}
	for i := 0; i < len(v); i += 2 {
		out[checkIDs[i/2]] = verdict{v[i].(finding.Status), v[i+1].(int)}
	}
	return out
}

const (
	pass = finding.Pass
	fail = finding.Fail
	unk  = finding.Unknown
)

// TestScan reads the two programs with each of their stacks, and without one: every check's verdict
// on every cluster, with the line of Pulumi.yaml that decided it.
func TestScan(t *testing.T) {
	tests := []struct {
		name, dir, stack string
		want             map[string]map[string]verdict
		// loc is each cluster's line.
		loc map[string]int
	}{
		{name: "aws:eks:Cluster without a stack: config without default is unknown", dir: "aws",
			loc: map[string]int{"cluster": 60},
			want: map[string]map[string]verdict{"cluster": verdicts(
				pass, 72, // whatever public is, the allowlist from adminCidrs' default is narrow and private is on
				unk, 70, // publicAccess has no default
				fail, 73,
				pass, 75,
				unk, 78,
			)}},
		{name: "aws:eks:Cluster with the dev stack", dir: "aws", stack: "dev",
			loc: map[string]int{"cluster": 60},
			want: map[string]map[string]verdict{"cluster": verdicts(
				fail, 72, // adminCidrs: [0.0.0.0/0] in Pulumi.dev.yaml
				fail, 70, // publicAccess: "true", text read as a boolean
				fail, 73,
				pass, 75,
				unk, 78, // a secure value
			)}},
		{name: "aws:eks:Cluster with the prod stack", dir: "aws", stack: "prod",
			loc: map[string]int{"cluster": 60},
			want: map[string]map[string]verdict{"cluster": verdicts(
				pass, 70,
				pass, 70,
				fail, 73,
				pass, 75,
				pass, 78,
			)}},
		{name: "eks:Cluster components without a stack", dir: "eks",
			loc: map[string]int{"apps": 15, "legacy": 28},
			want: map[string]map[string]verdict{
				"apps": verdicts(
					fail, 17, // public by pulumi-eks' default, open: fails whatever endpointPrivate is
					fail, 17,
					fail, 24,
					pass, 27,
					fail, 17,
				),
				"legacy": verdicts(
					pass, 34,
					fail, 32,
					pass, 36,
					fail, 30, // no authenticationMode: CONFIG_MAP
					unk, 35, // ${kmsKey.arn}
				),
			}},
		{name: "eks:Cluster components with the staging stack", dir: "eks", stack: "staging",
			loc: map[string]int{"apps": 15, "legacy": 28},
			want: map[string]map[string]verdict{
				"apps":   verdicts(fail, 17, fail, 17, fail, 24, pass, 27, fail, 17),
				"legacy": verdicts(pass, 34, fail, 32, pass, 36, fail, 30, unk, 35),
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := New().Scan(input(t, tt.dir), iac.Options{PulumiStack: tt.stack})
			if len(res.Problems) > 0 {
				t.Errorf("problems: %v", res.Problems)
			}
			if len(res.Resources) != len(tt.want) {
				t.Fatalf("%d clusters, want %d", len(res.Resources), len(tt.want))
			}
			for _, r := range res.Resources {
				c := r.Cluster
				want, ok := tt.want[c.Name]
				if !ok {
					t.Fatalf("unexpected cluster %q", c.Name)
				}
				if c.Source != Source || c.Loc == nil || c.Loc.Line != tt.loc[c.Name] || c.Loc.File != "testdata/"+tt.dir+"/Pulumi.yaml" {
					t.Errorf("%s: source %s at %+v, want pulumi at line %d", c.Name, c.Source, c.Loc, tt.loc[c.Name])
				}
				for id, w := range want {
					k, _ := check.Lookup(id)
					o := k.Evaluate(c)
					line := 0
					if o.Location != nil {
						line = o.Location.Line
					}
					if o.Status != w.status || line != w.line {
						t.Errorf("%s %s: %s at line %d, want %s at line %d: %s", c.Name, id, o.Status, line, w.status, w.line, o.Reason)
					}
				}
			}
		})
	}
}

// TestValues reads small programs, one setting at a time: how expressions, config and defaults
// resolve, and what stays unknown.
func TestValues(t *testing.T) {
	head := "name: p\nruntime: yaml\n"
	tests := []struct {
		name, src, stack string
		files            map[string]string
		get              func(c *model.Cluster) string
		want             string
	}{
		{name: "public left out: the provider's true", src: head + "resources:\n  c:\n    type: aws:eks:Cluster\n    properties:\n      vpcConfig: {}\n",
			get: public, want: "default true"},
		{name: "a variable holding a literal", src: head + "variables:\n  pub: false\nresources:\n  c:\n    type: aws:eks:Cluster\n    properties:\n      vpcConfig:\n        endpointPublicAccess: ${pub}\n",
			get: public, want: "explicit false"},
		{name: "a variable from fn::invoke", src: head + "variables:\n  pub:\n    fn::invoke:\n      function: aws:ssm:getParameter\nresources:\n  c:\n    type: aws:eks:Cluster\n    properties:\n      vpcConfig:\n        endpointPublicAccess: ${pub}\n",
			get: public, want: "unknown properties.vpcConfig.endpointPublicAccess: ${pub}: the variable pub: computed by fn::invoke of aws:ssm:getParameter when the program runs"},
		{name: "vpcConfig from a variable", src: head + "variables:\n  net:\n    endpointPublicAccess: false\nresources:\n  c:\n    type: aws:eks:Cluster\n    properties:\n      vpcConfig: ${net}\n",
			get: public, want: "explicit false"},
		{name: "another resource's output", src: head + "resources:\n  flag:\n    type: random:RandomInteger\n  c:\n    type: aws:eks:Cluster\n    properties:\n      vpcConfig:\n        endpointPublicAccess: ${flag.result}\n",
			get: public, want: "unknown properties.vpcConfig.endpointPublicAccess: ${flag.result} is an output of the resource flag, known only once it is deployed"},
		{name: "fn::secret of a literal", src: head + "resources:\n  c:\n    type: eks:Cluster\n    properties:\n      encryptionConfigKeyArn:\n        fn::secret: arn:aws:kms:us-east-1:111111111111:key/k\n",
			get: key, want: "explicit arn:aws:kms:us-east-1:111111111111:key/k"},
		{name: "fn::join of a config default", src: head + "config:\n  acct:\n    default: \"111111111111\"\nresources:\n  c:\n    type: eks:Cluster\n    properties:\n      encryptionConfigKeyArn:\n        fn::join: [\"\", [\"arn:aws:kms:us-east-1:\", \"${acct}\", \":key/k\"]]\n",
			get: key, want: "explicit arn:aws:kms:us-east-1:111111111111:key/k"},
		{name: "interpolation into text", src: head + "config:\n  acct: \"111111111111\"\nresources:\n  c:\n    type: eks:Cluster\n    properties:\n      encryptionConfigKeyArn: arn:aws:kms:us-east-1:${acct}:key/k\n",
			get: key, want: "explicit arn:aws:kms:us-east-1:111111111111:key/k"},
		{name: "an escaped ${ is text", src: head + "resources:\n  c:\n    type: eks:Cluster\n    properties:\n      authenticationMode: $${mode}\n",
			get: mode, want: "unknown properties.authenticationMode is \"${mode}\", which is not an authentication mode (CONFIG_MAP, API_AND_CONFIG_MAP, API), so the deployment fails"},
		{name: "stack value under the plain key", src: head + "configuration:\n  mode:\n    type: String\nresources:\n  c:\n    type: eks:Cluster\n    properties:\n      authenticationMode: ${mode}\n",
			stack: "test", files: map[string]string{"Pulumi.test.yaml": "config:\n  mode: API\n"}, get: mode, want: "explicit API"},
		{name: "stack value over the default", src: head + "config:\n  mode:\n    default: CONFIG_MAP\nresources:\n  c:\n    type: eks:Cluster\n    properties:\n      authenticationMode: ${mode}\n",
			stack: "test", files: map[string]string{"Pulumi.test.yaml": "config:\n  p:mode: API\n"}, get: mode, want: "explicit API"},
		{name: "stack not setting it: the default", src: head + "config:\n  mode:\n    default: CONFIG_MAP\nresources:\n  c:\n    type: eks:Cluster\n    properties:\n      authenticationMode: ${mode}\n",
			stack: "test", files: map[string]string{"Pulumi.test.yaml": "config:\n  aws:region: us-east-1\n"}, get: mode, want: "explicit CONFIG_MAP"},
		{name: "log types with a type EKS lacks", src: head + "resources:\n  c:\n    type: eks:Cluster\n    properties:\n      enabledClusterLogTypes: [Audit]\n",
			get: logs, want: "unknown properties.enabledClusterLogTypes lists \"Audit\", which is not an EKS log type (api, audit, authenticator, controllerManager, scheduler), so the deployment fails"},
		{name: "an IPv6 pulumi-eks cluster admits ::/0 by default", src: head + "resources:\n  c:\n    type: eks:Cluster\n    properties:\n      ipFamily: ipv6\n",
			get: cidrs, want: "default 0.0.0.0/0,::/0"},
		{name: "encryptionConfig not for secrets", src: head + "resources:\n  c:\n    type: aws:eks:Cluster\n    properties:\n      vpcConfig: {}\n      encryptionConfig:\n        resources: []\n        provider:\n          keyArn: k\n",
			get: key, want: "explicit "},
		{name: "a reference to nothing", src: head + "resources:\n  c:\n    type: eks:Cluster\n    properties:\n      authenticationMode: ${nothing}\n",
			get: mode, want: "unknown properties.authenticationMode: ${nothing} names no variable, resource or config the program declares; if it is config set only in a stack file, pass --pulumi-stack NAME to read it from the stack file Pulumi.NAME.yaml"},
		{name: "a variable referring to itself", src: head + "variables:\n  a: ${b}\n  b: ${a}\nresources:\n  c:\n    type: eks:Cluster\n    properties:\n      authenticationMode: ${a}\n",
			get: mode, want: "unknown properties.authenticationMode: ${a}: the variable a: ${b}: the variable b: the variable a refers to itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &iac.Input{Files: []*iac.File{{Path: "prog/Pulumi.yaml", Name: "prog/Pulumi.yaml", Data: []byte(tt.src)}}}
			for name, data := range tt.files {
				in.Files = append(in.Files, &iac.File{Path: "prog/" + name, Name: "prog/" + name, Data: []byte(data)})
			}
			res := New().Scan(in, iac.Options{PulumiStack: tt.stack})
			if len(res.Resources) != 1 {
				t.Fatalf("%d clusters (problems %v)", len(res.Resources), res.Problems)
			}
			c := res.Resources[0].Cluster
			if got := tt.get(c); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func public(c *model.Cluster) string {
	b := c.EndpointPublicAccess
	if b.Origin == model.OriginUnknown {
		return "unknown " + b.Detail
	}
	return fmt.Sprintf("%s %t", b.Origin, b.Value)
}

func text(s model.String) string {
	if s.Origin == model.OriginUnknown {
		return "unknown " + s.Detail
	}
	return fmt.Sprintf("%s %s", s.Origin, s.Value)
}

func list(s model.Strings) string {
	if s.Origin == model.OriginUnknown {
		return "unknown " + s.Detail
	}
	return fmt.Sprintf("%s %s", s.Origin, strings.Join(s.Values, ","))
}

func key(c *model.Cluster) string   { return text(c.SecretsKeyARN) }
func mode(c *model.Cluster) string  { return text(c.AuthenticationMode) }
func logs(c *model.Cluster) string  { return list(c.EnabledLogTypes) }
func cidrs(c *model.Cluster) string { return list(c.PublicAccessCIDRs) }

// TestProjects: which files are programs, a Main.yaml read with its project's config, and a stack
// that does not exist.
func TestProjects(t *testing.T) {
	cluster := "resources:\n  c:\n    type: eks:Cluster\n    properties:\n      authenticationMode: ${mode}\n"
	tests := []struct {
		name     string
		files    map[string]string
		stack    string
		clusters int
		claimed  []string
		problem  string
		mode     string
	}{
		{name: "a Main.yaml below its project", files: map[string]string{
			"p/Pulumi.yaml":     "name: p\nruntime: yaml\nmain: app/\nconfig:\n  mode:\n    default: API\n",
			"p/app/Main.yaml":   cluster,
			"p/Pulumi.dev.yaml": "config:\n  p:mode: API_AND_CONFIG_MAP\n",
		}, stack: "dev", clusters: 1, claimed: []string{"p/Pulumi.dev.yaml", "p/Pulumi.yaml", "p/app/Main.yaml"}, mode: "explicit API_AND_CONFIG_MAP"},
		{name: "a Main.yaml of no Pulumi project", files: map[string]string{"x/Main.yaml": cluster}},
		{name: "another runtime", files: map[string]string{"p/Pulumi.yaml": "name: p\nruntime: nodejs\n" + cluster}},
		{name: "a stack that is not there", files: map[string]string{"p/Pulumi.yaml": "name: p\nruntime: yaml\n" + cluster}, stack: "qa",
			clusters: 1, claimed: []string{"p/Pulumi.yaml"}, problem: "p/Pulumi.yaml:1: --pulumi-stack qa: there is no Pulumi.qa.yaml beside p/Pulumi.yaml",
			mode: "unknown properties.authenticationMode: ${mode} names no variable, resource or config the program declares; if it is config set only in a stack file, --pulumi-stack qa: there is no Pulumi.qa.yaml beside p/Pulumi.yaml"},
		{name: "a program that does not parse", files: map[string]string{"p/Pulumi.yaml": "name: p\nruntime: yaml\nresources: [\n"},
			claimed: []string{"p/Pulumi.yaml"}, problem: "p/Pulumi.yaml:3: cannot parse the Pulumi YAML program"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &iac.Input{}
			for name, data := range tt.files {
				in.Files = append(in.Files, &iac.File{Path: name, Name: name, Data: []byte(data)})
			}
			res := New().Scan(in, iac.Options{PulumiStack: tt.stack})
			sort.Strings(res.Claimed)
			if len(res.Resources) != tt.clusters || strings.Join(res.Claimed, " ") != strings.Join(tt.claimed, " ") {
				t.Errorf("%d clusters, claimed %v; want %d, %v", len(res.Resources), res.Claimed, tt.clusters, tt.claimed)
			}
			var probs []string
			for _, p := range res.Problems {
				probs = append(probs, p.String())
			}
			if got := strings.Join(probs, "\n"); tt.problem == "" && got != "" || !strings.Contains(got, tt.problem) {
				t.Errorf("problems %q, want %q", got, tt.problem)
			}
			if tt.mode != "" && len(res.Resources) == 1 {
				if got := mode(res.Resources[0].Cluster); got != tt.mode {
					t.Errorf("mode %s, want %s", got, tt.mode)
				}
			}
		})
	}
}
