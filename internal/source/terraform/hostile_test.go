package terraform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// tree writes files (slash-separated names relative to a new folder) and returns the folder.
func tree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// walkScan walks a folder as `eksguard iac DIR` does (so the scanned tree is recorded) and runs the
// Terraform adapter on it, failing the test if the scan does not end within a minute: hostile input
// must never hang a scan.
func walkScan(t testing.TB, dir string, opts iac.Options) iac.Result {
	t.Helper()
	in, walkProblems, err := iac.Walk(context.Background(), []string{"."}, dir)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan iac.Result, 1)
	go func() { done <- New().Scan(in, opts) }()
	select {
	case res := <-done:
		for _, p := range res.Problems {
			if p.Code == "" {
				t.Errorf("problem without a code: %s", p)
			}
		}
		res.Problems = append(walkProblems, res.Problems...)
		return res
	case <-time.After(time.Minute):
		t.Fatal("the scan did not end within a minute")
	}
	return iac.Result{}
}

// verdict returns the 5.4.1 result of the named cluster.
func verdict(t testing.TB, res iac.Result, name string) finding.Result {
	t.Helper()
	var names []string
	for _, r := range res.Resources {
		if r.Cluster.Name == name {
			a, _ := verdicts(r)
			return a
		}
		names = append(names, r.Cluster.Name)
	}
	t.Fatalf("no cluster %s among %v (problems: %s)", name, names, problemStrings(res.Problems))
	return finding.Result{}
}

// cluster is an aws_eks_cluster whose public endpoint setting is the given expression and whose
// private endpoint is on: it passes 5.4.1 when the expression is false.
func cluster(name, public string) string {
	return fmt.Sprintf(`resource "aws_eks_cluster" %q {
  name     = %q
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1", "subnet-2"]
    endpoint_private_access = true
    endpoint_public_access  = %s
  }
}
`, name, name, public)
}

// TestNestingIsRefused: input nested deeper than HCL's recursive parsers can take (a fatal stack
// overflow, which no recover catches, or a gigabyte of stack) is a problem naming the file and line,
// and the other files of the scan are still read.
func TestNestingIsRefused(t *testing.T) {
	const n = 100000
	deep := func(open, close string) string { return strings.Repeat(open, n) + strings.Repeat(close, n) }
	good := map[string]string{"good/main.tf": cluster("good", "false")}
	tests := []struct {
		name, file, src string
		line            int
		opts            iac.Options
	}{
		{name: "100,000 nested [ in a .tf", file: "bad/main.tf", src: "locals {\n  x = " + deep("[", "]") + "\n}\n", line: 2},
		{name: "300,000 nested [ in a .tf.json", file: "bad/main.tf.json", src: `{"locals": {"x": ` + strings.Repeat("[", 3*n) + strings.Repeat("]", 3*n) + "}}", line: 1},
		{name: "nested parentheses", file: "bad/main.tf", src: "locals {\n  x = " + deep("(", "1)") + "\n}\n", line: 2},
		{name: "a chain of 100,000 !", file: "bad/main.tf", src: "locals {\n  x = " + strings.Repeat("!", n) + "true\n}\n", line: 2},
		{name: "a chain of unary minus", file: "bad/main.tf", src: "locals {\n  x = " + strings.Repeat("-", n) + "1\n}\n", line: 2},
		{name: "a chain of conditionals", file: "bad/main.tf", src: "locals {\n  x = " + strings.Repeat("true ? 1 : ", n) + "2\n}\n", line: 2},
		{name: "nested interpolations", file: "bad/main.tf", src: "locals {\n  x = " + deep(`"${`, `}"`) + "\n}\n", line: 2},
		{name: "nested template directives", file: "bad/main.tf", src: "locals {\n  x = \"" + strings.Repeat("%{ if true }", n) + strings.Repeat("%{ endif }", n) + "\"\n}\n", line: 2},
		{name: "nested blocks", file: "bad/main.tf", src: "\n" + strings.Repeat("b {\n", n) + strings.Repeat("}\n", n), line: 258},
		{name: "a template nested inside a .tf.json string", file: "bad/main.tf.json", src: `{"locals": {"x": "` + strings.Repeat(`${\"`, n) + strings.Repeat(`\"}`, n) + `"}}`, line: 1},
		{name: "a nested terraform.tfvars", file: "good/terraform.tfvars", src: "x = " + deep("[", "]") + "\n", line: 1},
		{name: "a nested -var value", file: "-var", opts: iac.Options{Vars: map[string]string{"x": deep("[", "]")}}, line: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"good/main.tf": good["good/main.tf"] + "variable \"x\" {\n  type = any\n  default = null\n}\n"}
			if tt.file != "-var" {
				files[tt.file] = tt.src
			}
			res := walkScan(t, tree(t, files), tt.opts)
			if v := verdict(t, res, "aws_eks_cluster.good"); v.Status != finding.Pass {
				t.Errorf("the other file's cluster: %s (%s)", v.Status, v.Reason)
			}
			want := fmt.Sprintf("%s:%d: expressions or blocks nested more than 256 levels deep", tt.file, tt.line)
			if tt.file == "-var" {
				want = "-var: x=" // the value follows; the message is checked below
			}
			probs := problemStrings(res.Problems)
			if !strings.Contains(probs, want) || !strings.Contains(probs, "more than 256 levels deep") {
				t.Errorf("problems:\n%s\nwant %q", probs, want)
			}
		})
	}
}

// TestNestingRealisticIsRead: deep but real nesting (a policy document in a for expression in a
// module argument, forty levels) is read and judged.
func TestNestingRealisticIsRead(t *testing.T) {
	deep := strings.Repeat("[", 40) + "false" + strings.Repeat("]", 40)
	dir := tree(t, map[string]string{"main.tf": cluster("c", "flatten("+deep+")[0]")})
	res := walkScan(t, dir, iac.Options{})
	if v := verdict(t, res, "aws_eks_cluster.c"); v.Status != finding.Pass {
		t.Errorf("40 levels: %s (%s)", v.Status, v.Reason)
	}
	if len(res.Problems) != 0 {
		t.Errorf("problems: %s", problemStrings(res.Problems))
	}
}

// TestEvaluationBounds: expressions that would build enormous values from a small file (each case
// is well under 200 KB) give UNKNOWN naming the expression, cost a bounded amount of memory, and
// leave the rest of the configuration judged as usual.
func TestEvaluationBounds(t *testing.T) {
	doubling := func(prefix, step string) string {
		var b strings.Builder
		b.WriteString("locals {\n")
		fmt.Fprintf(&b, "  %s0 = %s\n", prefix, map[string]string{"l": `["subnet-0"]`, "s": `"0123456789abcdef"`}[prefix])
		for i := 1; i <= 44; i++ {
			fmt.Fprintf(&b, "  %s%d = %s\n", prefix, i, strings.ReplaceAll(step, "PREV", fmt.Sprintf("local.%s%d", prefix, i-1)))
		}
		b.WriteString("}\n")
		return b.String()
	}
	list := "[" + strings.TrimSuffix(strings.Repeat("1,", 1000), ",") + "]"
	// The platform module is called by a root that sets its variables from terraform.tfvars, as
	// real trees do; the bomb sits in the module, next to a cluster that must still be judged.
	platform := func(bomb, public string) map[string]string {
		return map[string]string{
			"live/main.tf": `module "platform" {
  source = "../modules/platform"
  public = var.public
}

variable "public" {
  type = bool
}
`,
			"live/terraform.tfvars":          "public = false\n",
			"modules/platform/variables.tf":  "variable \"public\" {\n  type = bool\n}\n",
			"modules/platform/bomb.tf":       bomb,
			"modules/platform/cluster.tf":    cluster("bombed", public),
			"modules/platform/unaffected.tf": cluster("steady", "var.public"),
		}
	}
	const bombed = "module.platform.aws_eks_cluster.bombed"
	const steady = "module.platform.aws_eks_cluster.steady"
	tests := []struct {
		name   string
		files  map[string]string
		opts   iac.Options
		reason []string // substrings of the bombed cluster's reason
	}{
		{name: "a list doubled 44 times with concat",
			files:  platform(doubling("l", "concat(PREV, PREV)"), "length(local.l44) > 0 ? var.public : true"),
			reason: []string{"local.l44 (through local.l43 and", "concat(", "larger than 16.0 MiB"}},
		{name: "a string doubled 44 times with a template",
			files:  platform(doubling("s", `"${PREV}${PREV}"`), "length(local.s44) > 0 ? var.public : true"),
			reason: []string{"local.s44 (through", "larger than 16.0 MiB"}},
		{name: "setproduct of three ranges of 1000",
			files:  platform("locals {\n  p = setproduct(range(1000), range(1000), range(1000))\n}\n", "length(local.p) > 0 ? var.public : true"),
			reason: []string{"setproduct(range(1000), range(1000), range(1000))", "setproduct() would build 4000000000 elements"}},
		{name: "three nested for expressions over literal lists in a variable default",
			files: platform(fmt.Sprintf("variable \"cube\" {\n  default = [for a in %s : [for b in %s : [for c in %s : c]]]\n}\n", list, list, list),
				"length(var.cube) > 0 ? var.public : true"),
			reason: []string{"var.cube (the default at modules/platform/bomb.tf:2)", "builds more than 64.0 MiB of values"}},
		{name: "a format width of a billion",
			files:  platform("locals {\n  wide = format(\"%01000000000d\", 1)\n}\n", "length(local.wide) > 0 ? var.public : true"),
			reason: []string{"format() would build", "more than eksguard's limit"}},
		{name: "try() does not hide a bound",
			files:  platform("locals {\n  p = try(setproduct(range(1000), range(1000), range(1000)), [])\n}\n", "length(local.p) == 0 ? var.public : true"),
			reason: []string{"setproduct() would build"}},
		{name: "a string doubled in a .tf.json",
			files: func() map[string]string {
				f := platform("", "length(local.s44) > 0 ? var.public : true")
				delete(f, "modules/platform/bomb.tf")
				var b strings.Builder
				b.WriteString(`{"locals": {"s0": "0123456789abcdef"`)
				for i := 1; i <= 44; i++ {
					fmt.Fprintf(&b, `, "s%d": "${local.s%d}${local.s%d}"`, i, i-1, i-1)
				}
				b.WriteString("}}\n")
				f["modules/platform/bomb.tf.json"] = b.String()
				return f
			}(),
			reason: []string{"local.s44 (through", "larger than 16.0 MiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, src := range tt.files {
				if len(src) > 200<<10 {
					t.Fatalf("%s is %d bytes; the cases are meant to be small files", name, len(src))
				}
			}
			dir := tree(t, tt.files)
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			res := walkScan(t, dir, tt.opts)
			runtime.ReadMemStats(&after)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<30 {
				t.Errorf("the scan allocated %d MB", alloc>>20)
			}
			v := verdict(t, res, bombed)
			if v.Status != finding.Unknown {
				t.Errorf("bombed: %s (%s), want UNKNOWN", v.Status, v.Reason)
			}
			for _, r := range tt.reason {
				if !strings.Contains(v.Reason, r) {
					t.Errorf("bombed reason %q does not mention %q", v.Reason, r)
				}
			}
			if v := verdict(t, res, steady); v.Status != finding.Pass {
				t.Errorf("steady: %s (%s), want PASS: a bound in one expression must not touch the others", v.Status, v.Reason)
			}
		})
	}
}

// TestEvaluationBoundsCLIVar: a -var value that would build an enormous value is refused like any
// other bad -var value.
func TestEvaluationBoundsCLIVar(t *testing.T) {
	list := "[" + strings.TrimSuffix(strings.Repeat("1,", 1000), ",") + "]"
	dir := tree(t, map[string]string{"main.tf": cluster("c", "length(var.cube) > 0 ? false : true") + "variable \"cube\" {\n  type = any\n}\n"})
	res := walkScan(t, dir, iac.Options{Vars: map[string]string{"cube": fmt.Sprintf("[for a in %s : [for b in %s : [for c in %s : c]]]", list, list, list)}})
	if v := verdict(t, res, "aws_eks_cluster.c"); v.Status != finding.Unknown {
		t.Errorf("%s (%s), want UNKNOWN", v.Status, v.Reason)
	}
	if probs := problemStrings(res.Problems); !strings.Contains(probs, "-var: cube=") || !strings.Contains(probs, "builds more than 64.0 MiB") {
		t.Errorf("problems:\n%s", probs)
	}
}

// TestEvaluationRealisticIsUnbounded: values of the size real configurations build (maps of node
// groups, long lists of CIDR blocks, a range over thousands of subnets) are evaluated as usual.
func TestEvaluationRealisticIsUnbounded(t *testing.T) {
	dir := tree(t, map[string]string{"main.tf": `locals {
  subnets = flatten([for j in range(4) : [for i in range(1000) : cidrsubnet("10.0.0.0/8", 12, j * 1000 + i)]])
  groups  = { for i in range(500) : "group-${i}" => { instance_types = ["m6i.large", "m6i.xlarge"], min_size = 1, max_size = i, labels = { team = "t${i}" } } }
  policy  = jsonencode({ Statement = [for s in local.subnets : { Effect = "Allow", Resource = s }] })
}
` + cluster("c", `length(local.subnets) == 4000 && length(local.groups) == 500 && length(local.policy) > 100000 ? false : true`)})
	res := walkScan(t, dir, iac.Options{})
	if v := verdict(t, res, "aws_eks_cluster.c"); v.Status != finding.Pass {
		t.Errorf("%s (%s), want PASS", v.Status, v.Reason)
	}
}

// TestModuleFolderReads: a module folder outside the walk (vendor/ is not walked) is read like any
// input: no link that leaves the scanned tree is followed, no pipe or device is opened, nothing over
// the size limit is read, and each file left out is a problem. Links that stay in the tree are
// followed.
func TestModuleFolderReads(t *testing.T) {
	dir := tree(t, map[string]string{
		"main.tf":                     "module \"eks\" {\n  source = \"./vendor/eks\"\n  public = false\n}\n\nmodule \"registry\" {\n  source  = \"terraform-aws-modules/eks/aws\"\n  version = \"~> 20.0\"\n}\n",
		"vendor/eks/variables.tf":     "variable \"public\" {\n  type = bool\n}\n",
		"vendor/shared/cluster.tf":    cluster("shared", "var.public"),
		"vendor/eks/big.tf":           "",
		".terraform/modules/keep.txt": "",
	})
	mod := filepath.Join(dir, "vendor", "eks")
	for _, l := range [][2]string{
		{"/etc/passwd", "passwd.tf"},
		{"/dev/zero", "zero.tf"},
		{"../shared/cluster.tf", "cluster.tf"},
	} {
		if err := os.Symlink(l[0], filepath.Join(mod, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(mod, "pipe.tf"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "big.tf"), make([]byte, iac.MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	// modules.json linked to /dev/zero, then as a pipe: neither may hang or fill memory.
	mj := filepath.Join(dir, ".terraform", "modules", "modules.json")
	if err := os.Symlink("/dev/zero", mj); err != nil {
		t.Fatal(err)
	}
	res := walkScan(t, dir, iac.Options{})
	if v := verdict(t, res, "module.eks.aws_eks_cluster.shared"); v.Status != finding.Pass {
		t.Errorf("cluster through an in-tree link: %s (%s)", v.Status, v.Reason)
	}
	probs := problemStrings(res.Problems)
	for _, want := range []string{
		"vendor/eks/passwd.tf: symbolic link to /etc/passwd, outside the folder being scanned; not followed",
		"vendor/eks/zero.tf: symbolic link to /dev/zero, outside the folder being scanned; not followed",
		"vendor/eks/pipe.tf: a named pipe (FIFO), not a regular file; not read",
		"vendor/eks/big.tf: file is 10485761 bytes, over the 10485760-byte limit; not scanned",
		".terraform/modules/modules.json: symbolic link to /dev/zero, outside the folder being scanned",
	} {
		if !strings.Contains(probs, want) {
			t.Errorf("problems:\n%s\nwant %q", probs, want)
		}
	}
	if strings.Contains(probs, "root:") {
		t.Errorf("a problem quotes /etc/passwd:\n%s", probs)
	}

	if err := os.Remove(mj); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(mj, 0o600); err != nil {
		t.Fatal(err)
	}
	res = walkScan(t, dir, iac.Options{})
	if probs := problemStrings(res.Problems); !strings.Contains(probs, ".terraform/modules/modules.json: a named pipe (FIFO), not a regular file; not read") {
		t.Errorf("modules.json as a pipe:\n%s", probs)
	}
}

// TestModuleFolderLinkedOutside: a module folder that is itself a link out of the tree is not read.
func TestModuleFolderLinkedOutside(t *testing.T) {
	outside := tree(t, map[string]string{"main.tf": cluster("secret", "true")})
	dir := tree(t, map[string]string{"main.tf": "module \"eks\" {\n  source = \"./vendor/eks\"\n}\n"})
	if err := os.MkdirAll(filepath.Join(dir, "vendor"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "vendor", "eks")); err != nil {
		t.Fatal(err)
	}
	res := walkScan(t, dir, iac.Options{})
	if len(res.Resources) != 0 {
		t.Errorf("read a cluster through a link out of the tree: %v", res.Resources[0].Cluster.Name)
	}
	if probs := problemStrings(res.Problems); !strings.Contains(probs, `main.tf:1: Unreadable module directory: module.eks source "./vendor/eks": it is a symbolic link to `) {
		t.Errorf("problems:\n%s", probs)
	}
}

// TestModuleCycles: a folder whose only callers are in its own cycle is still a root; the cycle is a
// problem and every cluster is reported once.
func TestModuleCycles(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		clusters []string
		problem  string
	}{
		{name: "a module that calls itself",
			files:    map[string]string{"env/main.tf": cluster("self", "false") + "\nmodule \"again\" {\n  source = \"./\"\n}\n"},
			clusters: []string{"aws_eks_cluster.self"}, problem: "env/main.tf:12: Module cycle: module.again calls ./"},
		{name: "two modules that call each other",
			files: map[string]string{
				"a/main.tf": cluster("a", "false") + "\nmodule \"b\" {\n  source = \"../b\"\n}\n",
				"b/main.tf": cluster("b", "false") + "\nmodule \"a\" {\n  source = \"../a\"\n}\n",
			},
			clusters: []string{"aws_eks_cluster.a", "module.b.aws_eks_cluster.b"}, problem: "b/main.tf:12: Module cycle: module.a calls ../a"},
		{name: "a root that calls into a cycle",
			files: map[string]string{
				"live/main.tf": "module \"a\" {\n  source = \"../a\"\n}\n",
				"a/main.tf":    cluster("a", "false") + "\nmodule \"b\" {\n  source = \"../b\"\n}\n",
				"b/main.tf":    cluster("b", "false") + "\nmodule \"a\" {\n  source = \"../a\"\n}\n",
			},
			clusters: []string{"module.a.aws_eks_cluster.a", "module.a.module.b.aws_eks_cluster.b"}, problem: "b/main.tf:12: Module cycle: module.a calls ../a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := walkScan(t, tree(t, tt.files), iac.Options{})
			var got []string
			for _, r := range res.Resources {
				got = append(got, r.Cluster.Name)
			}
			if strings.Join(got, ",") != strings.Join(tt.clusters, ",") {
				t.Errorf("clusters = %v, want %v", got, tt.clusters)
			}
			if probs := problemStrings(res.Problems); !strings.Contains(probs, tt.problem) {
				t.Errorf("problems:\n%s\nwant %q", probs, tt.problem)
			}
		})
	}
}

// TestInstanceBounds: a root whose count and for_each multiply past the bound is stopped and named,
// and the roots beside it are still evaluated in full.
func TestInstanceBounds(t *testing.T) {
	bomb := map[string]string{
		"a-bomb/main.tf":       "module \"m\" {\n  count  = 256\n  source = \"../modules/fan\"\n}\n",
		"m-bomb-again/main.tf": "module \"m\" {\n  count  = 256\n  source = \"../modules/fan\"\n}\n",
		"modules/fan/main.tf":  "module \"n\" {\n  count  = 256\n  source = \"../leaf\"\n}\n",
		"modules/leaf/main.tf": "resource \"aws_eks_cluster\" \"c\" {\n  count = 256\n  vpc_config {}\n}\n",
		"b-normal/main.tf":     cluster("first", "false"),
		"n-normal/main.tf":     cluster("middle", "false"),
		"z-normal/main.tf":     cluster("last", "false"),
	}
	res := walkScan(t, tree(t, bomb), iac.Options{})
	for _, name := range []string{"aws_eks_cluster.first", "aws_eks_cluster.middle", "aws_eks_cluster.last"} {
		if v := verdict(t, res, name); v.Status != finding.Pass {
			t.Errorf("%s: %s", name, v.Status)
		}
	}
	probs := problemStrings(res.Problems)
	for _, want := range []string{
		`root module "a-bomb" declares more than 10000 module and cluster instances`,
		`root module "m-bomb-again" declares more than 10000 module and cluster instances`,
	} {
		if !strings.Contains(probs, want) {
			t.Errorf("problems:\n%s\nwant %q", probs, want)
		}
	}
}

// TestCancelledScanStops: a cancelled context stops the evaluation of a root that would otherwise
// run to its instance bound.
func TestCancelledScanStops(t *testing.T) {
	dir := tree(t, map[string]string{
		"main.tf":              "module \"m\" {\n  count  = 256\n  source = \"./modules/fan\"\n}\n",
		"modules/fan/main.tf":  "module \"n\" {\n  count  = 256\n  source = \"../leaf\"\n}\n",
		"modules/leaf/main.tf": "resource \"aws_eks_cluster\" \"c\" {\n  count = 256\n  vpc_config {}\n}\n",
	})
	in, _, err := iac.Walk(context.Background(), []string{"."}, dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	res := New().Scan(in, iac.Options{Context: ctx})
	if len(res.Resources) != 0 {
		t.Errorf("a cancelled scan evaluated %d clusters", len(res.Resources))
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestLongTemplatesAreBounded: HCL's parser joins consecutive literal parts of a template in time
// that grows with the square of their number (100,000 heredoc lines: 17 seconds for a 700 KB
// file). Past 20,000 parts the file is refused, fast, and the other files are still read; a long
// but real heredoc (a 5,000-line policy) is read and judged.
func TestLongTemplatesAreBounded(t *testing.T) {
	unterminated := "locals {\n  x = " + strings.Repeat("<<ET\nO{", 100000) + "\n}\n"
	heredoc := "locals {\n  x = <<EOT\n" + strings.Repeat("line ${var.x}\n", 25000) + "EOT\n}\n"
	for name, src := range map[string]string{"an unterminated heredoc of 100,000 lines": unterminated, "a heredoc of 25,000 interpolated lines": heredoc} {
		t.Run(name, func(t *testing.T) {
			files := map[string]string{
				"good/main.tf": cluster("good", "false") + "variable \"x\" {\n  type = any\n  default = null\n}\n",
				"bad/main.tf":  src,
			}
			start := time.Now()
			res := walkScan(t, tree(t, files), iac.Options{})
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
			if v := verdict(t, res, "aws_eks_cluster.good"); v.Status != finding.Pass {
				t.Errorf("the other file's cluster: %s (%s)", v.Status, v.Reason)
			}
			if probs := problemStrings(res.Problems); !strings.Contains(probs, "bad/main.tf:3: a string or heredoc of more than 20000 parts") {
				t.Errorf("problems:\n%s", probs)
			}
		})
	}
	policy := cluster("good", "false") + "locals {\n  policy = <<EOT\n" + strings.Repeat("  {\"Effect\": \"Allow\"},\n", 5000) + "EOT\n}\n"
	res := walkScan(t, tree(t, map[string]string{"good/main.tf": policy}), iac.Options{})
	if len(res.Problems) > 0 {
		t.Errorf("a 5,000-line heredoc is refused: %s", problemStrings(res.Problems))
	}
	if v := verdict(t, res, "aws_eks_cluster.good"); v.Status != finding.Pass {
		t.Errorf("cluster: %s (%s)", v.Status, v.Reason)
	}
}
