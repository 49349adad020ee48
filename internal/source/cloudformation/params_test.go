package cloudformation

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

func TestParseParams(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // key=value;... (key=<previous> for UsePreviousValue)
		err        string // line:column: message substring
	}{
		{name: "create-stack list", text: `[{"ParameterKey": "A", "ParameterValue": "1"}, {"ParameterKey": "B", "UsePreviousValue": true}]`, want: "A=1;B=<previous>"},
		{name: "describe-stacks output keeps ResolvedValue out", text: `[{"ParameterKey": "A", "ParameterValue": "/eks/a", "ResolvedValue": "true"}]`, want: "A=/eks/a"},
		{name: "UsePreviousValue false with a value", text: `[{"ParameterKey": "A", "ParameterValue": "", "UsePreviousValue": false}]`, want: "A="},
		{name: "deploy overrides", text: `["A=1", "B=x=y", "C="]`, want: "A=1;B=x=y;C="},
		{name: "template configuration", text: "\xef\xbb\xbf{\"Parameters\": {\"A\": \"1\", \"B\": \"a,b\"}, \"Tags\": {\"t\": \"v\"}, \"StackPolicy\": {}}", want: "A=1;B=a,b"},
		{name: "empty list", text: `[]`, want: ""},
		{name: "empty file", text: "\n", err: "2:1: not valid JSON: the file is empty"},
		{name: "trailing comma", text: "[\n  \"A=1\",\n]", err: "3:1: not valid JSON"},
		{name: "flat object", text: `{"A": "1"}`, err: `1:2: unknown member "A"`},
		{name: "no Parameters", text: `{"Tags": {}}`, err: `1:1: no "Parameters" member`},
		{name: "number value", text: "{\"Parameters\": {\n  \"A\": 1\n}}", err: `2:8: the value of "A" must be a string`},
		{name: "list value", text: `[{"ParameterKey": "A", "ParameterValue": ["a", "b"]}]`, err: "1:42: ParameterValue of \"A\" must be a string (write a list as one comma-separated string)"},
		{name: "unknown member", text: `[{"ParameterKey": "A", "Value": "1"}]`, err: `1:24: unknown member "Value" in entry 1`},
		{name: "no value", text: `[{"ParameterKey": "A"}]`, err: `1:2: parameter "A" has no ParameterValue`},
		{name: "value and previous", text: `[{"ParameterKey": "A", "ParameterValue": "1", "UsePreviousValue": true}]`, err: `1:42: parameter "A" has both a ParameterValue and UsePreviousValue: true`},
		{name: "no key", text: `[{"ParameterValue": "1"}]`, err: "1:2: entry 1 has no ParameterKey"},
		{name: "entry without =", text: `["A"]`, err: `1:2: entry 1 is "A", not "Key=Value"`},
		{name: "twice in a file", text: "[\"A=1\",\n \"A=2\"]", err: `2:2: parameter "A" is given twice (first at line 1)`},
		{name: "not a list or object", text: `"A=1"`, err: "1:1: want a list of parameters"},
		{name: "column counts characters", text: `{"Parameters": {"Ünïcødé": 1}}`, err: "1:28: the value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pf, err := ParseParams("p.json", []byte(tt.text))
			if tt.err != "" {
				var pe *ParamsError
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), "p.json:"+tt.err) {
					t.Fatalf("err = %v, want p.json:%s", err, tt.err)
				}
				if pe.Problem().Code != finding.ProblemSyntax {
					t.Errorf("code %s", pe.Problem().Code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range pf.Values {
				if v.UsePrevious {
					got = append(got, v.Key+"=<previous>")
				} else {
					got = append(got, v.Key+"="+v.Value)
				}
				if v.Line < 1 || v.Column < 1 {
					t.Errorf("%s has no position", v.Key)
				}
			}
			if strings.Join(got, ";") != tt.want {
				t.Errorf("got %q, want %q", strings.Join(got, ";"), tt.want)
			}
		})
	}
}

// FuzzParseParams: any bytes either parse into values with positions or fail with a position.
func FuzzParseParams(f *testing.F) {
	for _, p := range []string{"prod.json", "prod-config.json", "bad-values.json", "typo.json", "broken.json"} {
		if data, err := os.ReadFile("testdata/params/" + p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`[{"ParameterKey": "A", "UsePreviousValue": true}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, err := ParseParams("p.json", data)
		if err != nil {
			var pe *ParamsError
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Column < 1 || pe.Msg == "" {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, v := range pf.Values {
			if v.Key == "" || seen[v.Key] || v.Line < 1 || v.Column < 1 {
				t.Fatalf("bad value %+v", v)
			}
			seen[v.Key] = true
		}
	})
}

func scanParams(t *testing.T, template string, params ...string) iac.Result {
	t.Helper()
	return New().Scan(&iac.Input{Files: []*iac.File{readFile(t, template, false)}}, iac.Options{CFParamFiles: params})
}

// TestParamsSettings reads testdata/params/stack.yaml with the parameter files an
// aws cloudformation deploy user keeps beside it, in both shapes.
func TestParamsSettings(t *testing.T) {
	const stack = "testdata/params/stack.yaml"
	P, F, U := finding.Pass, finding.Fail, finding.Unknown
	tests := []struct {
		name             string
		params           []string
		want541, want542 finding.Status
		line541, line542 int
		fields           map[model.Field]setting
		problems         []string
	}{
		{name: "defaults", want541: F, want542: F, line541: 32, line542: 30,
			fields: map[model.Field]setting{
				model.FieldEndpointPublicAccess: {model.OriginExplicit, "true", 30, "parameter PublicEndpoint Default"},
				model.FieldEnabledLogTypes:      {model.OriginExplicit, "api,audit", 35, ""},
				model.FieldSecretsKeyARN:        {model.OriginExplicit, "Ref SecretsKeyArn", 41, "known only at deploy time"},
			}},
		{name: "create-stack parameters", params: []string{"testdata/params/prod.json"}, want541: P, want542: P, line541: 30, line542: 30,
			fields: map[model.Field]setting{
				model.FieldEndpointPublicAccess: {model.OriginExplicit, "false", 30, "parameter PublicEndpoint from testdata/params/prod.json"},
				model.FieldPublicAccessCIDRs:    {model.OriginExplicit, "203.0.113.0/24,198.51.100.0/24", 32, "parameter AdminCidrs from testdata/params/prod.json"},
				model.FieldEnabledLogTypes:      {model.OriginExplicit, "authenticator,audit", 35, ""},
			}},
		{name: "template configuration, then a file of refused values", params: []string{"testdata/params/prod-config.json", "testdata/params/bad-values.json"},
			want541: P, want542: U, line541: 32, line542: 30,
			fields: map[model.Field]setting{
				model.FieldEndpointPublicAccess: {model.OriginUnknown, "false", 30, `"no" is not one of its AllowedValues (true, false), so CloudFormation refuses the stack`},
				model.FieldPublicAccessCIDRs:    {model.OriginExplicit, "203.0.113.0/24", 32, "from testdata/params/prod-config.json"},
			},
			problems: []string{
				`testdata/params/bad-values.json:3:20: parameter "Environment" of testdata/params/stack.yaml: "Prod_1" does not match its AllowedPattern "[a-z][a-z0-9-]*"`,
				`testdata/params/bad-values.json:4:23: parameter "PublicEndpoint" of testdata/params/stack.yaml: "no" is not one of its AllowedValues (true, false)`,
			}},
		{name: "misspelt key", params: []string{"testdata/params/typo.json"}, want541: P, want542: P, line541: 30, line542: 30,
			problems: []string{`testdata/params/typo.json:3:3: parameter "AdminCidr" is not declared by any template scanned`}},
		{name: "broken file", params: []string{"testdata/params/broken.json"}, want541: F, want542: F, line541: 32, line542: 30,
			problems: []string{"testdata/params/broken.json:5:3: not valid JSON: invalid character '}'"}},
		{name: "missing file", params: []string{"testdata/params/none.json"}, want541: F, want542: F, line541: 32, line542: 30,
			problems: []string{"testdata/params/none.json: --cf-params:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scanParams(t, stack, tt.params...)
			if len(res.Problems) != len(tt.problems) {
				t.Fatalf("problems %v, want %q", res.Problems, tt.problems)
			}
			for i, p := range res.Problems {
				if !strings.HasPrefix(p.String(), tt.problems[i]) {
					t.Errorf("problem %q, want %q", p.String(), tt.problems[i])
				}
			}
			r := findResource(res, "ControlPlane")
			if r == nil {
				t.Fatal("no ControlPlane")
			}
			v := evaluate(t, r.Cluster)
			if v.s541 != tt.want541 || v.s542 != tt.want542 || v.l541 != tt.line541 || v.l542 != tt.line542 {
				t.Errorf("5.4.1 %s line %d, 5.4.2 %s line %d; want %s %d, %s %d (%s)", v.s541, v.l541, v.s542, v.l542, tt.want541, tt.line541, tt.want542, tt.line542, v.r541)
			}
			for f, want := range tt.fields {
				got := endpointSetting(f, r.Cluster)
				if got.origin != want.origin || got.line != want.line || !strings.Contains(got.detail, want.detail) || (want.origin != model.OriginUnknown && got.value != want.value) {
					t.Errorf("%s = %+v, want %+v", f, got, want)
				}
			}
		})
	}
}

// TestParamsWithoutTemplates: values that apply to nothing are a problem, not silence.
func TestParamsWithoutTemplates(t *testing.T) {
	res := New().Scan(&iac.Input{}, iac.Options{CFParamFiles: []string{"testdata/params/prod.json"}})
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "no CloudFormation template was scanned") || res.Problems[0].Code != finding.ProblemFlag {
		t.Errorf("problems %v", res.Problems)
	}
}

// endpointSetting is readSetting for the endpoint fields too.
func endpointSetting(f model.Field, c *model.Cluster) setting {
	line := func(l *model.Location) int {
		if l == nil {
			return 0
		}
		return l.Line
	}
	switch f {
	case model.FieldEndpointPublicAccess:
		v := c.EndpointPublicAccess
		return setting{v.Origin, fmt.Sprint(v.Value), line(v.Loc), v.Detail}
	case model.FieldPublicAccessCIDRs:
		v := c.PublicAccessCIDRs
		return setting{v.Origin, strings.Join(v.Values, ","), line(v.Loc), v.Detail}
	}
	return readSetting(f, c)
}
