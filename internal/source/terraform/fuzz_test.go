package terraform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// fuzzTargets are the settings every fuzzed cluster is asked to take: both endpoint targets, and the
// other fields all at once (nested blocks, module arguments of each version).
var fuzzTargets = []model.Settings{toPrivate, toRestrict, {
	EnabledLogTypes:    model.LogTypes,
	AuthenticationMode: model.Ptr(model.AuthAPIAndConfigMap),
	SecretsKeyARN:      model.Ptr("arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
}}

func seed(f *testing.F, pattern string) {
	files, err := filepath.Glob(pattern)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// exercise scans the input without the adapter's recover, so that a panic fails the fuzzer, and asks
// every cluster for both fixes, which walk the parsed source again.
func exercise(t *testing.T, in *iac.Input) {
	res := scan(in, iac.Options{Vars: map[string]string{"env": "prod"}})
	for _, r := range res.Resources {
		if r.Cluster == nil {
			t.Fatal("resource without a cluster")
		}
		if r.Fix == nil {
			continue
		}
		for _, target := range fuzzTargets {
			fix, err := r.Fix(target)
			if err == nil && fix == nil {
				t.Fatal("no fix and no error")
			}
			if err != nil {
				continue
			}
			for _, e := range fix.Edits {
				if e.Line < 1 || e.Remove < 0 {
					t.Fatalf("edit out of range: %+v", e)
				}
			}
		}
	}
}

// FuzzParseHCL feeds arbitrary bytes as a .tf file (and as .tf.json) through the whole scan.
func FuzzParseHCL(f *testing.F) {
	seed(f, "testdata/hcl/*/*.tf")
	seed(f, "testdata/hcl/*/*.tf.json")
	seed(f, "testdata/hcl/*/*/*/*.tf")
	seed(f, "testdata/parts/*/*.tf")
	seed(f, "testdata/parts/*/*.tf.json")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		exercise(t, &iac.Input{Files: []*iac.File{
			{Path: filepath.Join(dir, "main.tf"), Name: "main.tf", Data: data},
			{Path: filepath.Join(dir, "terraform.tfvars"), Name: "terraform.tfvars", Data: data},
		}})
		exercise(t, &iac.Input{Files: []*iac.File{{Path: filepath.Join(dir, "main.tf.json"), Name: "main.tf.json", Data: data}}})
	})
}

// FuzzParsePlan feeds arbitrary bytes as a plan file.
func FuzzParsePlan(f *testing.F) {
	seed(f, "testdata/plan/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		exercise(t, &iac.Input{Files: []*iac.File{{Path: "plan.json", Name: "plan.json", Data: data, Explicit: true}}})
	})
}

// FuzzNesting repeats a fragment many times inside an expression, which is how input that nests too
// deeply for HCL's recursive parsers is built. The nesting check must refuse whatever would exhaust
// the stack: a fragment that slips through crashes the fuzzer with a fatal stack overflow.
func FuzzNesting(f *testing.F) {
	for _, unit := range []string{"[", "(", "{", "!", "-", "true ? 1 : ", `"${`, "%{ if true }", "%{ for x in [1] }", "-(", "!(", "[!", "a.b[", "<<EOT\n${", "x ? [", "{a = ", "~"} {
		f.Add([]byte(unit), uint32(100000))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, unit []byte, n uint32) {
		if len(unit) == 0 || len(unit) > 16 {
			return
		}
		src := "locals {\n  x = " + strings.Repeat(string(unit), int(n%150000)) + "\n}\n"
		exercise(t, &iac.Input{Files: []*iac.File{{Path: filepath.Join(dir, "main.tf"), Name: "main.tf", Data: []byte(src)}}})
		json := `{"locals": {"x": ` + strings.Repeat(string(unit), int(n%150000)) + "}}"
		exercise(t, &iac.Input{Files: []*iac.File{{Path: filepath.Join(dir, "main.tf.json"), Name: "main.tf.json", Data: []byte(json)}}})
	})
}

// FuzzEvalBounds evaluates arbitrary expressions as locals feeding a cluster. Whatever they build,
// the scan must end, and no expression may build more than the bounds allow (the work of one
// expression may overshoot by at most the one value that crossed the bound).
func FuzzEvalBounds(f *testing.F) {
	for _, e := range []string{
		"setproduct(range(1000), range(1000), range(1000))",
		"[for a in range(1000) : [for b in range(1000) : [for c in range(1000) : c]]]",
		`format("%0999999999d", 1)`,
		`join("", [for i in range(1000) : format("%01000000d", i)])`,
		`replace(format("%0100000d", 0), "0", format("%0100000d", 0))`,
		`indent(1000000000, "a\nb")`,
		`flatten([for i in range(1000) : [for j in range(1000) : "${i}-${j}"]])`,
		`jsonencode([for i in range(1000) : [for j in range(1000) : j]])`,
		`"%{for i in range(1000)}%{for j in range(1000)}${i}${j}%{endfor}%{endfor}"`,
		`try(setproduct(range(1000), range(1000), range(1000)), "x")`,
		`concat(local.x, local.x)`,
		`{for i in range(1000) : "k${i}" => [for j in range(1000) : j]}`,
		`split("", format("%0999999d", 0))`,
	} {
		f.Add(e)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, expr string) {
		if strings.ContainsAny(expr, "\n\r") {
			return
		}
		src := "locals {\n  a = " + expr + "\n  b = [local.a, local.a]\n  c = jsonencode(local.b)\n}\n\nresource \"aws_eks_cluster\" \"c\" {\n  vpc_config {\n    endpoint_public_access = length(local.c) > 0\n  }\n}\n"
		s := newScanner(iac.Options{})
		in := &iac.Input{Files: []*iac.File{{Path: filepath.Join(dir, "main.tf"), Name: "main.tf", Data: []byte(src)}}}
		for _, fl := range in.Files {
			s.addConfigFile(fl, false)
		}
		s.trees = []string{dir}
		s.run()
		if s.meter.scan > maxScanWork+maxExprWork {
			t.Fatalf("the scan built %d bytes of values", s.meter.scan)
		}
		if s.meter.expr > maxExprWork+maxValueSize && s.meter.tripped == nil {
			t.Fatalf("an expression built %d bytes without passing a bound", s.meter.expr)
		}
	})
}

// FuzzQuickDepth holds the allocation-free estimate to its promise: never less than the nesting
// found on HCL's own tokens, whatever the bytes.
func FuzzQuickDepth(f *testing.F) {
	seed(f, "testdata/hcl/*/*.tf")
	for _, s := range []string{
		"x = <<EOT\n${[[[}\n  EOT\n]]]\n", "x = \"${ [ }\" ]]", "a = \"$${\" ]", "/* [[[", "# ]\n[[[", "x = <<-\u00e9\n[[[",
		"x = \"\\\n]\"", "x = \"%{ if a }${b}%{ endif }\"", "a = -# c\n-# c\n-1", "x = { a = ~}", "x = \"${~ a ~}\"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		toks, _ := hclsyntax.LexConfig(data, "f.tf", hcl.InitialPos)
		_, _, precise := tokenDepth(toks, 0, 1<<30)
		if quick := quickDepth(data, 1<<30); quick < precise {
			t.Fatalf("quickDepth = %d, below the %d of HCL's tokens, for %q", quick, precise, data)
		}
	})
}
