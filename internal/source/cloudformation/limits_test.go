package cloudformation

import (
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// maxAlloc bounds the bytes one scan of a hostile template may allocate, parsing included; what the
// bombs below ask for is measured in gigabytes.
const maxAlloc = 64 << 20

// allocated returns the bytes allocated while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// officeList is n bytes of comma-separated CIDR blocks: a 1 MB default nobody writes by hand, but
// one a YAML anchor or a Ref can repeat at no cost in the file.
func officeList(n int) string {
	return strings.Repeat("203.0.113.0/24,", n/15+1)[:n]
}

// repeated is n copies of item separated by sep.
func repeated(item, sep string, n int) string {
	return strings.Repeat(item+sep, n-1) + item
}

// fixture reads testdata/limits/name and replaces every old text of the pairs (old, new, ...) by the
// new one; each old text must occur. The fixtures are small, real-looking templates: replacing their
// office list by 1 MB and their two-item lists by 20,000 items makes the bomb.
func fixture(t testing.TB, name string, pairs ...string) *iac.File {
	t.Helper()
	f := readFile(t, "testdata/limits/"+name, true)
	data := string(f.Data)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(data, pairs[i]) {
			t.Fatalf("%s does not hold %q", name, pairs[i])
		}
		data = strings.ReplaceAll(data, pairs[i], pairs[i+1])
	}
	f.Data = []byte(data)
	return f
}

const (
	megabyte = 1_000_000
	copies   = 20_000
	offices  = `"203.0.113.0/24,198.51.100.0/24"`
)

var bigOffices = `"` + officeList(megabyte) + `"`

// TestValueBounds runs templates whose values, fully built, would take gigabytes. Each cluster must
// come out UNKNOWN with a reason naming the function and the size it would build, without allocating
// more than maxAlloc. The unscaled fixtures are checked too, so that the bound changes nothing real.
func TestValueBounds(t *testing.T) {
	P, F, U := finding.Pass, finding.Fail, finding.Unknown
	joinSize := "18.6 GiB" // 20,000 copies of 1,000,000 bytes, and their separators
	tests := []struct {
		name, file string
		pairs      []string
		resource   string
		want541    finding.Status
		want542    finding.Status
		reason     string // in the 5.4.1 reason
		public     string // in the detail of EndpointPublicAccess, when set
	}{
		{name: "yaml join, as written", file: "join-bomb.yaml", resource: "Cluster", want541: P, want542: F},
		{name: "yaml join over 20,000 aliases of a 1 MB scalar", file: "join-bomb.yaml",
			pairs:    []string{offices, bigOffices, "[*offices, *offices]", "[" + repeated("*offices", ", ", copies) + "]"},
			resource: "Cluster", want541: U, want542: U,
			reason: "Fn::Join would build a " + joinSize + " string, over eksguard's 1 MiB limit for evaluated values",
			public: "condition HasOffices cannot be evaluated (Fn::Join would build a " + joinSize + " string"},
		{name: "json join, as written", file: "join-bomb.json", resource: "Cluster", want541: P, want542: F},
		{name: "json join over 20,000 Refs to a 1 MB default", file: "join-bomb.json",
			pairs: []string{offices, bigOffices,
				`[{"Ref": "OfficeCidrs"}, {"Ref": "OfficeCidrs"}]`, "[" + repeated(`{"Ref": "OfficeCidrs"}`, ", ", copies) + "]"},
			resource: "Cluster", want541: U, want542: U,
			reason: "Fn::Join would build a " + joinSize + " string, over eksguard's 1 MiB limit for evaluated values",
			public: "condition HasOffices cannot be evaluated (Fn::Join would build a " + joinSize + " string"},
		{name: "yaml sub, as written", file: "sub-bomb.yaml", resource: "Cluster", want541: P, want542: F},
		{name: "yaml sub with a variable used 20,000 times", file: "sub-bomb.yaml",
			pairs:    []string{offices, bigOffices, `"${Offices},${Offices},${VpnCidr}"`, `"` + strings.Repeat("${Offices},", copies) + `${VpnCidr}"`},
			resource: "Cluster", want541: U, want542: F,
			reason: "Fn::Sub would build a " + joinSize + " string, over eksguard's 1 MiB limit for evaluated values"},
		{name: "json sub, as written", file: "sub-bomb.json", resource: "Cluster", want541: P, want542: F},
		{name: "json sub with a variable used 20,000 times", file: "sub-bomb.json",
			pairs:    []string{offices, bigOffices, `"${Offices},${Offices},${VpnCidr}"`, `"` + strings.Repeat("${Offices},", copies) + `${VpnCidr}"`},
			resource: "Cluster", want541: U, want542: F,
			reason: "Fn::Sub would build a " + joinSize + " string, over eksguard's 1 MiB limit for evaluated values"},
		{name: "CommaDelimitedList, as written", file: "split-bomb.yaml", resource: "FromList", want541: P, want542: F},
		{name: "CommaDelimitedList default of 66,667 blocks", file: "split-bomb.yaml", pairs: []string{offices, bigOffices},
			resource: "FromList", want541: U, want542: F,
			reason: "parameter AllowedCidrs Default would build a list of 66667 items (1.9 MiB), over eksguard's 1 MiB limit for evaluated values"},
		{name: "Fn::Split, as written", file: "split-bomb.yaml", resource: "FromText", want541: P, want542: F},
		{name: "Fn::Split into 66,667 blocks", file: "split-bomb.yaml", pairs: []string{offices, bigOffices},
			resource: "FromText", want541: U, want542: F,
			reason: "Fn::Split would build a list of 66667 items (1.9 MiB), over eksguard's 1 MiB limit for evaluated values"},
		{name: "Fn::FindInMap, as written", file: "list-bomb.yaml", resource: "FromMapping", want541: P, want542: F},
		{name: "Fn::FindInMap of a list of 20,000 aliases", file: "list-bomb.yaml",
			pairs:    []string{`"203.0.113.0/24"`, bigOffices, "[*office, 198.51.100.0/24]", "[" + strings.Repeat("*office, ", copies) + "198.51.100.0/24]"},
			resource: "FromMapping", want541: U, want542: F,
			reason: "the list at line 12 would hold 20001 items (18.6 GiB), over eksguard's 1 MiB limit for evaluated values"},
		{name: "list, as written", file: "list-bomb.yaml", resource: "Listed", want541: P, want542: F},
		{name: "list of 20,000 aliases", file: "list-bomb.yaml",
			pairs:    []string{`"203.0.113.0/24"`, bigOffices, "[*office, 198.51.100.0/24]", "[" + strings.Repeat("*office, ", copies) + "198.51.100.0/24]"},
			resource: "Listed", want541: U, want542: F,
			reason: "the list at line 29 would hold 20001 items (18.6 GiB), over eksguard's 1 MiB limit for evaluated values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fixture(t, tt.file, tt.pairs...)
			var res iac.Result
			var v verdict
			var c *model.Cluster
			alloc := allocated(func() {
				scanFile(f, &res)
				if r := findResource(res, tt.resource); r != nil {
					c = r.Cluster
					v = evaluate(t, c)
				}
			})
			if c == nil {
				t.Fatalf("no cluster %s (problems %v)", tt.resource, res.Problems)
			}
			if len(res.Problems) > 0 {
				t.Errorf("problems %v", res.Problems)
			}
			if v.s541 != tt.want541 || v.s542 != tt.want542 {
				t.Errorf("5.4.1 %s, 5.4.2 %s; want %s, %s (%s)", v.s541, v.s542, tt.want541, tt.want542, v.r541)
			}
			if !strings.Contains(v.r541, tt.reason) {
				t.Errorf("5.4.1 reason %q does not hold %q", v.r541, tt.reason)
			}
			if !strings.Contains(c.EndpointPublicAccess.Detail, tt.public) {
				t.Errorf("public access detail %q does not hold %q", c.EndpointPublicAccess.Detail, tt.public)
			}
			t.Logf("allocated %s", yamledit.ByteSize(int64(alloc)))
			if alloc > maxAlloc {
				t.Errorf("scanning allocated %s, want at most %s", yamledit.ByteSize(int64(alloc)), yamledit.ByteSize(maxAlloc))
			}
		})
	}
}

// evalBudget evaluates Value in evalTemplate followed by text, with conds added to its Conditions,
// and returns the value and the bytes allocated evaluating it.
func evalBudget(t *testing.T, conds, text string) (value, uint64) {
	t.Helper()
	src := strings.Replace(evalTemplate, "Conditions:\n", "Conditions:\n"+conds, 1) + text
	root, doc, err := parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tpl := newTemplate(&iac.File{Name: "t.yaml"}, root, doc, nil)
	if tpl == nil {
		t.Fatal("not a template")
	}
	_, n := yamledit.Lookup(tpl.root, "Value")
	var v value
	alloc := allocated(func() { v = newEvaluator(tpl).eval(n, 0) })
	return v, alloc
}

// TestEvalLimits covers every place the evaluator builds a value, with inputs that would build one
// far over the limit: the value must be unknown with a reason naming the function and the size, and
// evaluating it must allocate at most maxAlloc. Cases whose value stays known are bounded all the same,
// and no value's provenance grows past maxViaBytes.
func TestEvalLimits(t *testing.T) {
	kb := strings.Repeat("x", 1000)
	big := strings.Repeat("y", megabyte)
	n := strconv.Itoa
	var joins strings.Builder // J1 is 32 copies of 1 kB, J2 32 copies of J1 (1 MB), J3 32 copies of J2
	joins.WriteString("S: &s0 " + kb + "\n")
	for i := 1; i <= 5; i++ {
		joins.WriteString("J" + n(i) + ": &s" + n(i) + " !Join [\"\", [" + repeated("*s"+n(i-1), ", ", 32) + "]]\n")
	}
	var lists strings.Builder // a billion laughs: every level holds the one below ten times
	lists.WriteString("L0: &l0 [203.0.113.0/24]\n")
	for i := 1; i <= 10; i++ {
		lists.WriteString("L" + n(i) + ": &l" + n(i) + " [" + repeated("*l"+n(i-1), ", ", 10) + "]\n")
	}
	var subs strings.Builder // every level substitutes the one below twice
	subs.WriteString("U0: &u0 " + kb + "\n")
	for i := 1; i <= 15; i++ {
		subs.WriteString("U" + n(i) + ": &u" + n(i) + " !Sub [\"${A}${A}\", {A: *u" + n(i-1) + "}]\n")
	}
	long := strings.Repeat("C", 90)
	var conds, vias strings.Builder // every level adds "condition CCC…i is true" to the provenance
	vias.WriteString("V0: &v0 !If [" + long + "0, 203.0.113.0/24, x]\n")
	conds.WriteString("  " + long + "0: !Equals [a, a]\n")
	for i := 1; i <= 15; i++ {
		conds.WriteString("  " + long + n(i) + ": !Equals [a, a]\n")
		vias.WriteString("V" + n(i) + ": &v" + n(i) + " !If [" + long + n(i) + ", *v" + n(i-1) + ", x]\n")
	}
	tests := []struct {
		name, conds, text string
		want              []string // in the rendered value
	}{
		{name: "Fn::Join of Fn::Joins through aliases", text: joins.String() + "Value: *s5\n",
			want: []string{"unknown: Fn::Join would build a " + yamledit.ByteSize(32*1_024_000) + " string, " + valueLimit}},
		{name: "a billion laughs: ten lists of ten aliases", text: lists.String() + "Value: *l10\n",
			want: []string{"unknown: the list at line ", " would hold 10 items (", valueLimit}},
		{name: "Fn::Sub doubled through aliases 15 times", text: subs.String() + "Value: *u15\n",
			want: []string{"unknown: Fn::Sub would build a " + yamledit.ByteSize(2_048_000) + " string, " + valueLimit}},
		{name: "Fn::Base64 of 1 MB", text: "Big: &big " + big + "\nValue: {Fn::Base64: *big}\n",
			want: []string{"unknown: Fn::Base64 would build a 1.3 MiB string, " + valueLimit}},
		{name: "a literal over the limit", text: "Value: " + big + big + "\n",
			want: []string{"unknown: the text at line ", " is 1.9 MiB, " + valueLimit}},
		{name: "Fn::Equals renders mappings within the limit",
			conds: "  Big: !Equals\n    - ? " + strings.Repeat("k", 600_000) + "\n      : 1\n      ? " + strings.Repeat("j", 600_000) + "\n      : 2\n    - x\n",
			text:  "Value: !If [Big, a, b]\n",
			want:  []string{"unknown: condition Big cannot be evaluated (Fn::Equals would build a 1.1 MiB string, " + valueLimit}},
		{name: "Fn::Equals of a list within the limit", conds: "  Small: !Equals [[a, b], \"[a,b]\"]\n",
			text: "Value: !If [Small, yes, no]\n", want: []string{`"yes"`}},
		{name: "Fn::Select of a list of 20,000 aliases", text: "Big: &big " + big + "\nValue: !Select [20000, [" + repeated("*big", ", ", copies) + ", last]]\n",
			want: []string{`"last"`}},
		{name: "Fn::Length of a list of 20,000 aliases", text: "Big: &big " + big + "\nValue: !Length [" + repeated("*big", ", ", copies) + "]\n",
			want: []string{"20000"}},
		{name: "Fn::Equals of 1 MB with itself, ten times", text: "Big: &big " + big + "\nE: &e !Equals [*big, *big]\nValue: !And [" + repeated("*e", ", ", 10) + "]\n",
			want: []string{"true"}},
		{name: "provenance is cut short", conds: conds.String(), text: vias.String() + "Value: *v15\n",
			want: []string{`"203.0.113.0/24"`}},
		{name: "a long name is quoted short", text: "Value: !Ref " + big + "\n",
			want: []string{"unknown: Ref to " + strings.Repeat("y", maxQuoted) + "…, which is neither"}},
		{name: "a long name referred to 20,000 times", text: "R: &r !Ref " + big + "\nValue: !Join [\",\", [" + repeated("*r", ", ", copies) + "]]\n",
			want: []string{"unknown: Ref to " + strings.Repeat("y", maxQuoted) + "…, which is neither"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, alloc := evalBudget(t, tt.conds, tt.text)
			got := render(v)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %.300s\nwant it to hold %s", got, w)
				}
			}
			if len(got) > 1000 {
				t.Errorf("rendered value is %d bytes", len(got))
			}
			if tt.name == "provenance is cut short" && !strings.HasSuffix(v.via, "…") {
				t.Errorf("provenance %q is not cut short", v.via)
			}
			if len(v.via) > maxViaBytes+len("…") {
				t.Errorf("provenance is %d bytes", len(v.via))
			}
			t.Logf("allocated %s", yamledit.ByteSize(int64(alloc)))
			if alloc > maxAlloc {
				t.Errorf("evaluation allocated %s, want at most %s", yamledit.ByteSize(int64(alloc)), yamledit.ByteSize(maxAlloc))
			}
		})
	}
}

// TestTemplateBudget: many clusters sharing one costly expression, or one large mapping, through
// aliases cannot multiply the work. Clusters past the template's budget are UNKNOWN saying why, and
// resources past it are a problem at their line: never silently left out, never guessed.
func TestTemplateBudget(t *testing.T) {
	items := "Items: &items [" + repeated("a", ", ", 60_000) + "]\n"
	var shared strings.Builder
	shared.WriteString("AWSTemplateFormatVersion: \"2010-09-09\"\n" + items + "Resources:\n")
	shared.WriteString("  C0:\n    Type: AWS::EKS::Cluster\n    Properties: &props\n      ResourcesVpcConfig:\n" +
		"        EndpointPrivateAccess: !Equals [{Fn::Length: *items}, 60000]\n")
	for i := 1; i < 100; i++ {
		shared.WriteString("  C" + strconv.Itoa(i) + ": {Type: AWS::EKS::Cluster, Properties: *props}\n")
	}
	var keys strings.Builder
	keys.WriteString("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  R0: &r {Type: AWS::EKS::Cluster")
	for i := 0; i < 50_000; i++ {
		keys.WriteString(", K" + strconv.Itoa(i) + ": 0")
	}
	keys.WriteString("}\n")
	for i := 1; i < 30_000; i++ {
		keys.WriteString("  R" + strconv.Itoa(i) + ": *r\n")
	}
	tests := []struct {
		name, text  string
		evaluated   int    // clusters evaluated in full, the first ones
		cut         bool   // the next one is cut short: private access unknown, public defaults decide
		clusters    int    // clusters reported
		lastReason  string // in the 5.4.1 reason of the last cluster
		problemLine int    // a problem says where reading stopped
	}{
		{name: "100 clusters share a 60,000-item expression", text: shared.String(), evaluated: 33, cut: true, clusters: 100, lastReason: tooMuchFile},
		{name: "30,000 resources alias a mapping of 50,000 keys", text: keys.String(), clusters: 40, lastReason: tooMuchFile, problemLine: 43},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &iac.File{Name: "t.yaml", Path: "t.yaml", Data: []byte(tt.text)}
			var res iac.Result
			var verdicts []verdict
			alloc := allocated(func() {
				scanFile(f, &res)
				for _, r := range res.Resources {
					verdicts = append(verdicts, evaluate(t, r.Cluster))
				}
			})
			if len(res.Resources) != tt.clusters {
				t.Fatalf("%d clusters, want %d", len(res.Resources), tt.clusters)
			}
			for i, v := range verdicts {
				if i < tt.evaluated {
					if v.s541 != finding.Fail || v.s542 != finding.Fail {
						t.Errorf("cluster %d: 5.4.1 %s, 5.4.2 %s, want FAIL, FAIL (%s)", i, v.s541, v.s542, v.r541)
					}
					continue
				}
				if c := res.Resources[i].Cluster; i == tt.evaluated && tt.cut {
					// Three-valued: an open public endpoint fails both controls whatever private access is.
					if c.EndpointPrivateAccess.Known() || !strings.Contains(c.EndpointPrivateAccess.Detail, tooMuchFile) || v.s541 != finding.Fail || v.s542 != finding.Fail {
						t.Errorf("cluster %d: private %+v, 5.4.1 %s, 5.4.2 %s; want private unknown (%s) and FAIL, FAIL", i, c.EndpointPrivateAccess, v.s541, v.s542, tooMuchFile)
					}
					continue
				}
				if v.s541 != finding.Unknown || v.s542 != finding.Unknown {
					t.Errorf("cluster %d: 5.4.1 %s, 5.4.2 %s, want UNKNOWN", i, v.s541, v.s542)
				}
			}
			if last := verdicts[len(verdicts)-1]; !strings.Contains(last.r541, tt.lastReason) {
				t.Errorf("last cluster: reason %q does not hold %q", last.r541, tt.lastReason)
			}
			switch {
			case tt.problemLine > 0 && (len(res.Problems) != 1 || res.Problems[0].Line != tt.problemLine || res.Problems[0].Code != finding.ProblemLimit || !strings.Contains(res.Problems[0].Message, "eksguard reads no further resources")):
				t.Errorf("problems %v, want one at line %d saying where reading stopped", res.Problems, tt.problemLine)
			case tt.problemLine == 0 && len(res.Problems) > 0:
				t.Errorf("problems %v", res.Problems)
			}
			t.Logf("allocated %s", yamledit.ByteSize(int64(alloc)))
			if alloc > maxAlloc {
				t.Errorf("scanning allocated %s, want at most %s", yamledit.ByteSize(int64(alloc)), yamledit.ByteSize(maxAlloc))
			}
		})
	}
}
