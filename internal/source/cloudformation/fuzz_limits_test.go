package cloudformation

import (
	"strconv"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// FuzzEvalLimits evaluates arbitrary expressions, appended to a template with parameters,
// conditions and mappings, and checks the evaluator's bounds on whatever it returns: no value over
// yamledit.MaxValueBytes (a list's recorded size being its true size), no provenance or reason over
// its limit, and no evaluation past its budget by more than one step's worth. The seeds are bombs:
// values that, built in full, take megabytes to terabytes.
func FuzzEvalLimits(f *testing.F) {
	n := strconv.Itoa
	kb := strings.Repeat("x", 1000)
	var joins, lists, subs, conds strings.Builder
	joins.WriteString("S: &s0 " + kb + "\n")
	lists.WriteString("L0: &l0 [203.0.113.0/24]\n")
	subs.WriteString("U0: &u0 " + kb + "\n")
	for i := 1; i <= 5; i++ {
		joins.WriteString("J" + n(i) + ": &s" + n(i) + " !Join [\"\", [" + repeated("*s"+n(i-1), ", ", 32) + "]]\n")
		lists.WriteString("L" + n(i) + ": &l" + n(i) + " [" + repeated("*l"+n(i-1), ", ", 10) + "]\n")
	}
	for i := 1; i <= 12; i++ {
		subs.WriteString("U" + n(i) + ": &u" + n(i) + " !Sub [\"${A}${A}\", {A: *u" + n(i-1) + "}]\n")
		conds.WriteString("C" + n(i) + ": &c" + n(i) + " !If [IsOpen, a, *c" + n(i-1) + "]\n")
	}
	for _, seed := range []string{
		joins.String() + "Value: *s5\n",
		lists.String() + "Value: !Join [\",\", *l5]\n",
		subs.String() + "Value: !Split [x, *u12]\n",
		"B: &b " + kb + "\nValue: !Base64 {Fn::Join: [\"\", [*b, *b, *b, *b, *b, *b, *b, *b]]}\n",
		"B: &b \"" + repeated("203.0.113.0/24", ",", 60) + "\"\nValue: !Split [\",\", !Join [\",\", [*b, *b, *b, *b, *b, *b, *b, *b]]]\n",
		"B: &b " + kb + "\nValue: !Select [1, [*b, !Sub [\"${X}${X}${X}\", {X: *b}]]]\n",
		"M: &m {" + kb + ": 1}\nValue: !Equals [[*m, *m, *m], !FindInMap [M, k1, list]]\n",
		"C0: &c0 !If [IsProd, [a], [b]]\n" + conds.String() + "Value: *c12\n",
		"Value: !Sub [\"${A}${B}${A}\", {A: !Ref Nets, B: !FindInMap [M, k1, k2]}]\n",
		"Value: &v !Join [\"\", [*v]]\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		root, doc, err := parse("t.yaml", append([]byte(evalTemplate), data...))
		if err != nil {
			return
		}
		tpl := newTemplate(&iac.File{Name: "t.yaml"}, root, doc, nil)
		if tpl == nil {
			return
		}
		_, expr := yamledit.Lookup(tpl.root, "Value")
		ev := newEvaluator(tpl)
		checkValue(t, ev.eval(expr, 0), 0)
		if ev.used.steps > maxSteps+len(data)+len(evalTemplate) {
			t.Errorf("%d steps, over the limit of %d by more than the template's size", ev.used.steps, maxSteps)
		}
		if ev.used.bytes > maxEvalBytes+4*yamledit.MaxValueBytes {
			t.Errorf("%s of work, over the limit of %s by more than one value's worth", yamledit.ByteSize(ev.used.bytes), yamledit.ByteSize(maxEvalBytes))
		}
	})
}

// checkValue checks the bounds of one value and returns its size.
func checkValue(t *testing.T, v value, depth int) int64 {
	t.Helper()
	if len(v.via) > maxViaBytes+len("…") {
		t.Errorf("provenance of %d bytes", len(v.via))
	}
	switch v.k {
	case kUnknown:
		if len(v.s) > maxReasonBytes+len("…") {
			t.Errorf("reason of %d bytes", len(v.s))
		}
	case kList:
		size := int64(0)
		for _, e := range v.list {
			size += checkValue(t, e, depth+1) + yamledit.ListItemBytes
		}
		if size != v.n {
			t.Errorf("list of %d items records size %d, holds %d", len(v.list), v.n, size)
		}
	}
	if size := v.size(); size > yamledit.MaxValueBytes {
		t.Errorf("value of %s (%s)", yamledit.ByteSize(size), v.describe())
	}
	return v.size()
}
