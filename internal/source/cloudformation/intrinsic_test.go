package cloudformation

import (
	"strconv"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

const evalTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: prod}
  Open: {Type: String}
  Count: {Type: Number, Default: 3}
  Secret: {Type: String, Default: "{{resolve:ssm:/eks/public}}"}
  Nets: {Type: "List<String>", Default: "10.0.0.0/8,192.168.0.0/16"}
  Empty: {Type: CommaDelimitedList, Default: ""}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsOpen: !Equals [!Ref Open, "true"]
  A: !Condition B
  B: !Condition A
  TrueIsTrue: !Equals ["true", true]
Mappings:
  M:
    k1: {k2: "v", list: [a, b]}
Resources:
  Bucket: {Type: AWS::S3::Bucket}
`

// TestEval evaluates one expression against a template with parameters, conditions and mappings.
func TestEval(t *testing.T) {
	tests := []struct {
		name, expr string
		want       string // rendered value, or "unknown: <substring of why>"
	}{
		{"literal bool", `true`, "true"},
		{"string true stays a string", `"true"`, `"true"`},
		{"number", `12`, "12"},
		{"Ref with default", `!Ref Env`, `"prod"`},
		{"Ref without default", `!Ref Open`, "unknown: parameter Open has no Default"},
		{"Ref number parameter", `!Ref Count`, "3"},
		{"Ref dynamic reference", `!Ref Secret`, "unknown: dynamic reference"},
		{"Ref list parameter", `!Ref Nets`, `["10.0.0.0/8" "192.168.0.0/16"]`},
		{"Ref empty list parameter", `!Ref Empty`, `[]`},
		{"Ref to a resource", `!Ref Bucket`, "unknown: Ref to resource Bucket"},
		{"Ref to nothing", `!Ref Nope`, "unknown: neither a parameter nor a resource"},
		{"Ref pseudo parameter", `{"Ref": "AWS::AccountId"}`, "unknown: pseudo parameter AWS::AccountId"},
		{"Ref NoValue", `!Ref AWS::NoValue`, "novalue"},
		{"If true", `!If [IsProd, a, b]`, `"a"`},
		{"If unknown", `!If [IsOpen, a, b]`, "unknown: condition IsOpen cannot be evaluated (parameter Open has no Default)"},
		{"If unknown with equal branches", `!If [IsOpen, [x], [x]]`, `["x"]`},
		{"If cyclic condition", `!If [A, a, b]`, "unknown: refers to itself"},
		{"If malformed", `!If [IsProd, a]`, "unknown: Fn::If has malformed arguments"},
		{"Equals compares strings", `!If [TrueIsTrue, yes, no]`, `"yes"`},
		{"Or is true when any part is", `{"Fn::Or": [{"Condition": "IsOpen"}, {"Condition": "IsProd"}]}`, "true"},
		{"Or is unknown when no part is true", `!Or [!Condition IsOpen, !Not [!Condition IsProd]]`, "unknown: parameter Open has no Default"},
		{"Not of unknown", `!Not [!Condition IsOpen]`, "unknown: parameter Open"},
		{"Sub with parameter", `!Sub "${Env}-x"`, `"prod-x"`},
		{"Sub literal", `!Sub "${!Env}"`, `"${Env}"`},
		{"Sub with variables", `!Sub ["${A}/${B}", {A: 10.0.0.0, B: !Ref Count}]`, `"10.0.0.0/3"`},
		{"Sub with attribute", `!Sub "${Bucket.Arn}"`, "unknown: Fn::GetAtt Bucket.Arn"},
		{"Sub with pseudo parameter", `!Sub "${AWS::Region}"`, "unknown: pseudo parameter AWS::Region"},
		{"Join", `!Join [",", [a, !Ref Env, 1]]`, `"a,prod,1"`},
		{"Join with unknown", `!Join [",", [a, !Ref Open]]`, "unknown: parameter Open has no Default"},
		{"Split", `!Split [",", "a,b"]`, `["a" "b"]`},
		{"Split with empty delimiter", `!Split ["", "a"]`, "unknown: empty delimiter"},
		{"Select", `!Select [1, [a, b]]`, `"b"`},
		{"Select out of range", `!Select [5, [a, b]]`, "unknown: out of range"},
		{"FindInMap", `!FindInMap [M, k1, list]`, `["a" "b"]`},
		{"FindInMap default value", `!FindInMap [M, k1, nope, {DefaultValue: d}]`, `"d"`},
		{"FindInMap miss", `!FindInMap [M, nope, k2]`, "unknown: finds no M/nope/k2"},
		{"Base64", `!Base64 abc`, `"YWJj"`},
		{"Length", `!Length [a, b]`, "2"},
		{"GetAtt list form", `{"Fn::GetAtt": [Bucket, Arn]}`, "unknown: Fn::GetAtt Bucket.Arn"},
		{"ImportValue", `!ImportValue shared`, "unknown: Fn::ImportValue shared"},
		{"function not evaluated", `!GetAZs ""`, "unknown: Fn::GetAZs is not evaluated"},
		{"NoValue dropped from lists", `[a, !Ref AWS::NoValue, b]`, `["a" "b"]`},
		{"alias", `&x [a]`, `["a"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := evalExpr(t, evalTemplate+"Value: "+tt.expr+"\n")
			if strings.HasPrefix(tt.want, "unknown: ") {
				if !strings.HasPrefix(got, "unknown: ") || !strings.Contains(got, strings.TrimPrefix(tt.want, "unknown: ")) {
					t.Errorf("got %s, want %s", got, tt.want)
				}
				return
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestEvalBounded checks that self-referring and exponentially repeating aliases end in an unknown
// value rather than a hang or a crash.
func TestEvalBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(evalTemplate + "L0: &l0 [a, b]\n")
	for i := 1; i <= 40; i++ {
		b.WriteString("L" + strconv.Itoa(i) + ": &l" + strconv.Itoa(i) + " [!Join [\"\", *l" + strconv.Itoa(i-1) + "], !Join [\"\", *l" + strconv.Itoa(i-1) + "]]\n")
	}
	b.WriteString("Value: !Join [\"\", *l40]\n")
	if got := evalExpr(t, b.String()); !strings.Contains(got, tooComplex) {
		t.Errorf("got %.200s", got)
	}
	if got := evalExpr(t, evalTemplate+"Value: &s !Join [\"\", [*s]]\n"); !strings.Contains(got, tooComplex) {
		t.Errorf("self-referring alias: got %.200s", got)
	}
}

func evalExpr(t *testing.T, text string) string {
	t.Helper()
	root, doc, err := parse("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	tpl := newTemplate(&iac.File{Name: "t.yaml"}, root, doc, nil)
	if tpl == nil {
		t.Fatal("not a template")
	}
	_, n := yamledit.Lookup(tpl.root, "Value")
	return render(newEvaluator(tpl).eval(n, 0))
}

func render(v value) string {
	switch v.k {
	case kUnknown:
		return "unknown: " + v.s
	case kNoValue:
		return "novalue"
	case kList:
		parts := make([]string, len(v.list))
		for i, e := range v.list {
			parts[i] = render(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return v.describe()
}
