package iampolicy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The AWS managed policies the check compares node roles against, as AWS publishes them.
const (
	pullOnlyPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage"
      ],
      "Resource": "*"
    }
  ]
}`
	readOnlyPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:GetRepositoryPolicy",
        "ecr:DescribeRepositories",
        "ecr:ListImages",
        "ecr:DescribeImages",
        "ecr:BatchGetImage",
        "ecr:GetLifecyclePolicy",
        "ecr:GetLifecyclePolicyPreview",
        "ecr:ListTagsForResource",
        "ecr:DescribeImageScanFindings"
      ],
      "Resource": "*"
    }
  ]
}`
)

// doc wraps statements (JSON objects) in a policy document.
func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// grants builds the expected grants for the named actions (without the "ecr:" prefix), all from one
// statement and pattern.
func grants(statement, pattern string, conditional bool, names ...string) []Grant {
	out := []Grant{}
	for _, n := range names {
		out = append(out, Grant{Action: "ecr:" + n, Statement: statement, Pattern: pattern, Conditional: conditional})
	}
	return out
}

// nonPull lists the non-pull action names (without "ecr:") that keep says to keep. It filters by plain
// string tests, independently of the glob matcher under test.
func nonPull(keep func(name string) bool) []string {
	var out []string
	for _, a := range Actions {
		if slices.Contains(Pull, a) {
			continue
		}
		name := strings.TrimPrefix(a, "ecr:")
		if keep(name) {
			out = append(out, name)
		}
	}
	return out
}

func all(string) bool { return true }

func merge(lists ...[]Grant) []Grant {
	out := []Grant{}
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.SortFunc(out, func(a, b Grant) int { return strings.Compare(a.Action, b.Action) })
	return out
}

func TestECRBeyondPull(t *testing.T) {
	putActions := []string{
		"PutAccountSetting", "PutImage", "PutImageScanningConfiguration", "PutImageTagMutability",
		"PutLifecyclePolicy", "PutRegistryPolicy", "PutRegistryScanningConfiguration",
		"PutReplicationConfiguration", "PutSigningConfiguration",
	}
	// A valid document one byte over the limit.
	prefix, suffix := `{"Statement":{"Effect":"Allow","Action":"ecr:PutImage","Resource":"*","Sid":"`, `"}}`
	bigDocument := prefix + strings.Repeat("x", maxDocumentBytes+1-len(prefix)-len(suffix)) + suffix
	tests := []struct {
		name     string
		document string
		want     []Grant
		wantErr  string
	}{
		{
			name:     "AmazonEC2ContainerRegistryPullOnly allows nothing beyond pull",
			document: pullOnlyPolicy,
			want:     []Grant{},
		},
		{
			name:     "AmazonEC2ContainerRegistryReadOnly allows eight read actions beyond pull",
			document: readOnlyPolicy,
			want: []Grant{
				{Action: "ecr:DescribeImageScanFindings", Statement: "statement 1", Pattern: "ecr:DescribeImageScanFindings"},
				{Action: "ecr:DescribeImages", Statement: "statement 1", Pattern: "ecr:DescribeImages"},
				{Action: "ecr:DescribeRepositories", Statement: "statement 1", Pattern: "ecr:DescribeRepositories"},
				{Action: "ecr:GetLifecyclePolicy", Statement: "statement 1", Pattern: "ecr:GetLifecyclePolicy"},
				{Action: "ecr:GetLifecyclePolicyPreview", Statement: "statement 1", Pattern: "ecr:GetLifecyclePolicyPreview"},
				{Action: "ecr:GetRepositoryPolicy", Statement: "statement 1", Pattern: "ecr:GetRepositoryPolicy"},
				{Action: "ecr:ListImages", Statement: "statement 1", Pattern: "ecr:ListImages"},
				{Action: "ecr:ListTagsForResource", Statement: "statement 1", Pattern: "ecr:ListTagsForResource"},
			},
		},
		{
			name:     "ecr:* allows every non-pull action",
			document: doc(`{"Sid":"All","Effect":"Allow","Action":"ecr:*","Resource":"*"}`),
			want:     grants("All", "ecr:*", false, nonPull(all)...),
		},
		{
			name:     "ecr:Put* allows the Put actions",
			document: doc(`{"Effect":"Allow","Action":["ecr:Put*"],"Resource":"*"}`),
			want:     grants("statement 1", "ecr:Put*", false, putActions...),
		},
		{
			name:     "* allows every non-pull action",
			document: doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`),
			want:     grants("statement 1", "*", false, nonPull(all)...),
		},
		{
			name:     "action names match regardless of case",
			document: doc(`{"Effect":"Allow","Action":"ECR:putimage","Resource":"*"}`),
			want:     grants("statement 1", "ECR:putimage", false, "PutImage"),
		},
		{
			name:     "? matches one character",
			document: doc(`{"Effect":"Allow","Action":["ecr:Put?mage","ecr:Put??mage"],"Resource":"*"}`),
			want:     grants("statement 1", "ecr:Put?mage", false, "PutImage"),
		},
		{
			name:     "wildcards in the service prefix and the middle of the name",
			document: doc(`{"Effect":"Allow","Action":["ec?:Batch*","ecr:*Tag*"],"Resource":"*"}`),
			want: merge(
				grants("statement 1", "ec?:Batch*", false, "BatchDeleteImage", "BatchGetRepositoryScanningConfiguration", "BatchImportUpstreamImage"),
				grants("statement 1", "ecr:*Tag*", false, "ListTagsForResource", "PutImageTagMutability", "TagResource", "UntagResource"),
			),
		},
		{
			name:     "NotAction allows every ECR action it does not list",
			document: doc(`{"Effect":"Allow","NotAction":["ecr:Delete*","s3:*"],"Resource":"*"}`),
			want: grants("statement 1", "NotAction [ecr:Delete* s3:*]", false,
				nonPull(func(n string) bool { return !strings.HasPrefix(n, "Delete") })...),
		},
		{
			name: "unconditional Deny on every resource removes the action",
			document: doc(
				`{"Effect":"Allow","Action":"ecr:*","Resource":"*"}`,
				`{"Effect":"Deny","Action":"ecr:Put*","Resource":"*"}`,
			),
			want: grants("statement 1", "ecr:*", false,
				nonPull(func(n string) bool { return !strings.HasPrefix(n, "Put") })...),
		},
		{
			name: "Deny before the Allow removes it just the same",
			document: doc(
				`{"Effect":"Deny","Action":"ecr:PutImage","Resource":"*"}`,
				`{"Effect":"Allow","Action":["ecr:PutImage","ecr:TagResource"],"Resource":"*"}`,
			),
			want: grants("statement 2", "ecr:TagResource", false, "TagResource"),
		},
		{
			name: "Deny with a Condition does not remove the action",
			document: doc(
				`{"Effect":"Allow","Action":"ecr:Put*","Resource":"*"}`,
				`{"Effect":"Deny","Action":"ecr:Put*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}`,
			),
			want: grants("statement 1", "ecr:Put*", false, putActions...),
		},
		{
			name: "Deny with an empty Condition is unconditional",
			document: doc(
				`{"Effect":"Allow","Action":"ecr:PutImage","Resource":"*"}`,
				`{"Effect":"Deny","Action":"ecr:PutImage","Resource":"*","Condition":{}}`,
			),
			want: []Grant{},
		},
		{
			name: "Deny on one repository does not remove the action",
			document: doc(
				`{"Effect":"Allow","Action":"ecr:PutImage","Resource":"*"}`,
				`{"Effect":"Deny","Action":"ecr:PutImage","Resource":"arn:aws:ecr:eu-west-1:111122223333:repository/app"}`,
			),
			want: grants("statement 1", "ecr:PutImage", false, "PutImage"),
		},
		{
			name: "Deny on every repository removes repository actions only",
			document: doc(
				`{"Effect":"Allow","Action":["ecr:PutImage","ecr:PutRegistryPolicy"],"Resource":"*"}`,
				`{"Effect":"Deny","Action":"ecr:*","Resource":"arn:aws:ecr:*:*:repository/*"}`,
			),
			want: grants("statement 1", "ecr:PutRegistryPolicy", false, "PutRegistryPolicy"),
		},
		{
			name: "Deny with NotResource is never certain",
			document: doc(
				`{"Effect":"Allow","Action":"ecr:PutImage","Resource":"*"}`,
				`{"Effect":"Deny","Action":"ecr:PutImage","NotResource":"arn:aws:ecr:eu-west-1:111122223333:repository/app"}`,
			),
			want: grants("statement 1", "ecr:PutImage", false, "PutImage"),
		},
		{
			name: "Deny with NotAction denies everything it does not list",
			document: doc(
				`{"Effect":"Allow","Action":"ecr:*","Resource":"*"}`,
				`{"Effect":"Deny","NotAction":["ecr:Get*","ecr:Batch*"],"Resource":"*"}`,
			),
			want: grants("statement 1", "ecr:*", false,
				nonPull(func(n string) bool { return strings.HasPrefix(n, "Get") || strings.HasPrefix(n, "Batch") })...),
		},
		{
			name:     "Deny alone grants nothing",
			document: doc(`{"Effect":"Deny","Action":"ecr:*","Resource":"*"}`),
			want:     []Grant{},
		},
		{
			name: "Allow narrowed to some repositories still allows",
			document: doc(`{"Effect":"Allow","Action":["ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload","ecr:PutImage"],` +
				`"Resource":["arn:aws:ecr:eu-west-1:111122223333:repository/app"]}`),
			want: merge(
				grants("statement 1", "ecr:CompleteLayerUpload", false, "CompleteLayerUpload"),
				grants("statement 1", "ecr:InitiateLayerUpload", false, "InitiateLayerUpload"),
				grants("statement 1", "ecr:PutImage", false, "PutImage"),
				grants("statement 1", "ecr:UploadLayerPart", false, "UploadLayerPart"),
			),
		},
		{
			name:     "Allow with NotResource still allows",
			document: doc(`{"Effect":"Allow","Action":"ecr:PutImage","NotResource":"arn:aws:ecr:*:*:repository/prod-*"}`),
			want:     grants("statement 1", "ecr:PutImage", false, "PutImage"),
		},
		{
			name:     "Allow with a Condition is reported as conditional",
			document: doc(`{"Sid":"PushFromVPC","Effect":"Allow","Action":"ecr:PutImage","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}`),
			want:     grants("PushFromVPC", "ecr:PutImage", true, "PutImage"),
		},
		{
			name: "one unconditional Allow makes the grant unconditional; the first statement is named",
			document: doc(
				`{"Sid":"Conditional","Effect":"Allow","Action":"ecr:PutImage","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}`,
				`{"Sid":"Plain","Effect":"Allow","Action":"ecr:Put*","Resource":"*"}`,
			),
			want: merge(
				grants("Conditional", "ecr:PutImage", false, "PutImage"),
				grants("Plain", "ecr:Put*", false, slices.DeleteFunc(slices.Clone(putActions), func(n string) bool { return n == "PutImage" })...),
			),
		},
		{
			name: "multiple statements, each grant names its first statement",
			document: doc(
				`{"Sid":"Pull","Effect":"Allow","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Resource":"*"}`,
				`{"Effect":"Allow","Action":["s3:GetObject","ecr:TagResource"],"Resource":"*"}`,
				`{"Sid":"","Effect":"Allow","Action":"ecr:UntagResource","Resource":"*"}`,
				`{"Sid":"Again","Effect":"Allow","Action":"ecr:*Resource","Resource":"*"}`,
			),
			want: merge(
				grants("Again", "ecr:*Resource", false, "ListTagsForResource"),
				grants("statement 2", "ecr:TagResource", false, "TagResource"),
				grants("statement 3", "ecr:UntagResource", false, "UntagResource"),
			),
		},
		{
			name:     "Statement as a single object",
			document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ecr:DeleteRepository","Resource":"*"}}`,
			want:     grants("statement 1", "ecr:DeleteRepository", false, "DeleteRepository"),
		},
		{
			name:     "Action as a string and no Version",
			document: `{"Statement":[{"Effect":"Allow","Action":"ecr:BatchDeleteImage","Resource":"*"}]}`,
			want:     grants("statement 1", "ecr:BatchDeleteImage", false, "BatchDeleteImage"),
		},
		{
			name:     "URL-encoded document, as GetPolicyVersion returns it",
			document: "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22ecr%3APutImage%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D",
			want:     grants("statement 1", "ecr:PutImage", false, "PutImage"),
		},
		{
			name:     "URL-encoded document with white space",
			document: "%7B%0A%20%20%22Statement%22%3A%20%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22ecr%3APutImage%22%2C%20%22Resource%22%3A%20%22%2A%22%7D%0A%7D%0A",
			want:     grants("statement 1", "ecr:PutImage", false, "PutImage"),
		},
		{
			name:     "form-encoded document with + for spaces",
			document: "%7B+%22Statement%22%3A+%7B%22Effect%22%3A+%22Allow%22%2C+%22Action%22%3A+%22ecr%3APutImage%22%2C+%22Resource%22%3A+%22*%22%7D%7D",
			want:     grants("statement 1", "ecr:PutImage", false, "PutImage"),
		},
		{
			name:     "other services only gives an empty list",
			document: doc(`{"Effect":"Allow","Action":["s3:*","ecr-public:*","ecrx:PutImage"],"Resource":"*"}`),
			want:     []Grant{},
		},
		{
			name:     "Principal is ignored",
			document: doc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"ecr:PutImage","Resource":"*"}`),
			want:     grants("statement 1", "ecr:PutImage", false, "PutImage"),
		},
		{
			name:     "bad JSON",
			document: `{"Version":"2012-10-17","Statement":[`,
			wantErr:  "policy document is not valid JSON: unexpected end of JSON input",
		},
		{
			name:     "trailing data after the document",
			document: pullOnlyPolicy + "{}",
			wantErr:  "policy document is not valid JSON: invalid character '{' after top-level value",
		},
		{
			name:     "Effect in lower case",
			document: doc(`{"Effect":"allow","Action":"ecr:*","Resource":"*"}`),
			wantErr:  `statement 1: Effect "allow" is invalid: IAM accepts only "Allow" or "Deny", case-sensitively`,
		},
		{
			name:     "no Effect",
			document: doc(`{"Action":"ecr:*","Resource":"*"}`),
			wantErr:  "statement 1: no Effect",
		},
		{
			name:     "Action a number",
			document: doc(`{"Effect":"Allow","Action":"ecr:PutImage","Resource":"*"}`, `{"Effect":"Allow","Action":42,"Resource":"*"}`),
			wantErr:  "statement 2: Action must be a string or an array of strings, not a number",
		},
		{
			name:     "Action array with a non-string",
			document: doc(`{"Effect":"Allow","Action":["ecr:PutImage",null],"Resource":"*"}`),
			wantErr:  "statement 1: Action entry 2 must be a string, not null",
		},
		{
			name:     "Action an empty array",
			document: doc(`{"Effect":"Allow","Action":[],"Resource":"*"}`),
			wantErr:  "statement 1: Action is an empty array",
		},
		{
			name:     "Action without a service prefix",
			document: doc(`{"Effect":"Allow","Action":"PutImage","Resource":"*"}`),
			wantErr:  `statement 1: Action "PutImage" is not "*" or of the form "service:action"`,
		},
		{
			name:     "both Action and NotAction",
			document: doc(`{"Effect":"Allow","Action":"ecr:PutImage","NotAction":"s3:*","Resource":"*"}`),
			wantErr:  "statement 1: has both Action and NotAction",
		},
		{
			name:     "neither Action nor NotAction",
			document: doc(`{"Effect":"Allow","Resource":"*"}`),
			wantErr:  "statement 1: has neither Action nor NotAction",
		},
		{
			name:     "neither Resource nor NotResource",
			document: doc(`{"Effect":"Allow","Action":"ecr:PutImage"}`),
			wantErr:  "statement 1: has neither Resource nor NotResource",
		},
		{
			name:     "element name in the wrong case",
			document: doc(`{"Effect":"Allow","action":"ecr:PutImage","Resource":"*"}`),
			wantErr:  `statement 1: unknown element "action"`,
		},
		{
			name:     "duplicate element",
			document: doc(`{"Effect":"Deny","Effect":"Allow","Action":"ecr:PutImage","Resource":"*"}`),
			wantErr:  `statement 1: element "Effect" appears more than once`,
		},
		{
			name:     "Condition not an object",
			document: doc(`{"Effect":"Allow","Action":"ecr:PutImage","Resource":"*","Condition":"yes"}`),
			wantErr:  "statement 1: Condition: must be an object, not a string",
		},
		{
			name:     "Statement not an object",
			document: doc(`"ecr:*"`),
			wantErr:  "statement 1: must be an object, not a string",
		},
		{
			name:     "no Statement",
			document: `{"Version":"2012-10-17"}`,
			wantErr:  "policy document has no Statement",
		},
		{
			name:     "Statement an empty array",
			document: `{"Version":"2012-10-17","Statement":[]}`,
			wantErr:  "policy document: Statement is an empty array",
		},
		{
			name:     "Statement null",
			document: `{"Version":"2012-10-17","Statement":null}`,
			wantErr:  "policy document: Statement must be an object or an array of objects, not null",
		},
		{
			name:     "unknown Version",
			document: `{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"ecr:PutImage","Resource":"*"}}`,
			wantErr:  `policy document: Version "2012-10-18" is not "2012-10-17" or "2008-10-17"`,
		},
		{
			name:     "document an array",
			document: `[` + pullOnlyPolicy + `]`,
			wantErr:  "policy document: must be an object, not an array",
		},
		{
			name:     "empty string",
			document: "",
			wantErr:  "policy document is empty",
		},
		{
			name:     "only white space",
			document: " \n\t",
			wantErr:  "policy document is empty",
		},
		{
			name:     "bad URL encoding",
			document: "%7B%zz",
			wantErr:  `policy document is neither JSON nor URL-encoded JSON: invalid URL escape "%zz"`,
		},
		{
			name:     "URL-encoded garbage",
			document: "%41%42",
			wantErr:  "policy document is not valid JSON: invalid character 'A' looking for beginning of value",
		},
		{
			name:     "over 1 MiB",
			document: bigDocument,
			wantErr:  "policy document is 1048577 bytes, over the 1048576-byte limit",
		},
		{
			name:     "over 1 MiB once URL-decoded",
			document: encodeRFC3986(bigDocument),
			wantErr:  "policy document is 1048577 bytes, over the 1048576-byte limit",
		},
		{
			name:     "over 3 MiB URL-encoded",
			document: strings.Repeat("%78", maxDocumentBytes+1),
			wantErr:  "policy document is 3145731 bytes, over the 1048576-byte limit",
		},
		{
			name:     "over 1000 statements",
			document: doc(slices.Repeat([]string{`{"Effect":"Allow","Action":"ecr:PutImage","Resource":"*"}`}, 1001)...),
			wantErr:  "policy document has 1001 statements, over the limit of 1000",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ECRBeyondPull(tt.document)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ECRBeyondPull() = %v, want error %q", got, tt.wantErr)
				}
				if err.Error() != tt.wantErr {
					t.Fatalf("ECRBeyondPull() error = %q, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ECRBeyondPull() error = %v", err)
			}
			if got == nil {
				t.Fatal("ECRBeyondPull() = nil, want a non-nil slice")
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ECRBeyondPull() =\n%s\nwant\n%s", show(got), show(tt.want))
			}
		})
	}
}

func show(gs []Grant) string {
	var b strings.Builder
	for _, g := range gs {
		fmt.Fprintf(&b, "  %+v\n", g)
	}
	return b.String()
}

func TestActionLists(t *testing.T) {
	lists := []struct {
		name string
		list []string
		size int
	}{
		{name: "Actions", list: Actions, size: 60},
		{name: "Pull", list: Pull, size: 4},
		{name: "repositoryScoped", list: repositoryScoped, size: 28},
	}
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) {
			if len(l.list) != l.size {
				t.Errorf("%d entries, want %d", len(l.list), l.size)
			}
			for i, a := range l.list {
				if !strings.HasPrefix(a, "ecr:") || strings.ContainsAny(a, "*? ") {
					t.Errorf("%q is not a canonical ECR action", a)
				}
				if i > 0 && l.list[i-1] >= a {
					t.Errorf("%q follows %q: not sorted or not unique", a, l.list[i-1])
				}
				if !slices.Contains(Actions, a) {
					t.Errorf("%q is not in Actions", a)
				}
			}
		})
	}
}

func TestCoversRepositories(t *testing.T) {
	tests := []struct {
		resource string
		want     bool
	}{
		{"*", true},
		{"**", true},
		{"arn:aws:ecr:*:*:repository/*", true},
		{"arn:aws-cn:ecr:*:*:repository/*", true},
		{"arn:*:ecr:*:*:repository/*", true},
		{"arn:*:ecr:*:*:*", true},
		{"arn:aws:ecr:*:*:repo*", true},
		{"arn:aws:ecr:*:*:repository*", true},
		{"arn:aws:ecr:*:*:*/*", true},
		{"arn:aws:ecr:*", true},
		{"arn:aws:ec*", true},
		{"arn:aws:*", true},
		{"arn:*", true},
		{"arn:aws:e?r:*:*:repository/*", true},
		{"arn:aws:ecr:*:*:repository/app", false},
		{"arn:aws:ecr:*:*:repository/app*", false},
		{"arn:aws:ecr:*:*:repository/*/x", false},
		{"arn:aws:ecr:eu-west-1:*:repository/*", false},
		{"arn:aws:ecr:*:111122223333:repository/*", false},
		{"arn:aws:ecr::*:repository/*", false},
		{"arn:aws:s3:::*", false},
		{"arn:aws:ecr-public:*:*:repository/*", false},
		{"arn:aws:ecr:*:*", true},
		{"arn:aws:ecr:*:*:repository/*:extra", false},
		{"arn:aws:ecr:*:*:repository/*:*", false},
		{"arn:other:ecr:*:*:repository/*", false},
		{"ARN:aws:ecr:*:*:repository/*", false},
		{"arn", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.resource, func(t *testing.T) {
			if got := coversRepositories(tt.resource); got != tt.want {
				t.Errorf("coversRepositories(%q) = %v, want %v", tt.resource, got, tt.want)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		s       string
		fold    bool
		want    bool
	}{
		{name: "exact", pattern: "ecr:PutImage", s: "ecr:PutImage", want: true},
		{name: "case differs without fold", pattern: "ecr:putimage", s: "ecr:PutImage", want: false},
		{name: "case differs with fold", pattern: "ECR:putimage", s: "ecr:PutImage", fold: true, want: true},
		{name: "star matches empty", pattern: "ecr:PutImage*", s: "ecr:PutImage", want: true},
		{name: "star in the middle", pattern: "ecr:*Image", s: "ecr:PutImage", want: true},
		{name: "star must not skip the tail", pattern: "ecr:*Image", s: "ecr:PutImageTagMutability", want: false},
		{name: "question mark is one character", pattern: "ecr:Put?mage", s: "ecr:PutImage", want: true},
		{name: "question mark is not zero characters", pattern: "ecr:PutI?mage", s: "ecr:PutImage", want: false},
		{name: "backtracking over several stars", pattern: "*a*a*b", s: "aaaaaaaaab", want: true},
		{name: "pathological pattern fails fast", pattern: strings.Repeat("*a", 5000) + "b", s: strings.Repeat("a", 40), want: false},
		{name: "empty pattern matches only empty", pattern: "", s: "x", want: false},
		{name: "only stars match empty", pattern: "**", s: "", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := glob(tt.pattern, tt.s, tt.fold); got != tt.want {
				t.Errorf("glob(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.fold, got, tt.want)
			}
		})
	}
}

// encodeRFC3986 percent-encodes every byte outside the unreserved set, as IAM encodes documents.
func encodeRFC3986(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func FuzzECRBeyondPull(f *testing.F) {
	seeds := []string{
		pullOnlyPolicy,
		readOnlyPolicy,
		doc(`{"Effect":"Allow","Action":"ecr:*","Resource":"*"}`, `{"Effect":"Deny","Action":"ecr:Put*","Resource":"arn:aws:ecr:*:*:repository/*"}`),
		doc(`{"Effect":"Allow","NotAction":["ecr:Delete*","s3:*"],"NotResource":"arn:*"}`),
		doc(`{"Sid":"X","Effect":"Deny","NotAction":"ecr:Get*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`),
		`{"Statement":{"Effect":"Allow","Action":"EC?:*image","Resource":["*"]}}`,
		encodeRFC3986(doc(`{"Effect":"Allow","Action":"ecr:PutImage","Resource":"*"}`)),
		`{"Statement":[{"Effect":"allow","Action":1}]}`,
		"",
		"%zz",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, document string) {
		got, err := ECRBeyondPull(document)
		if err == nil {
			if got == nil {
				t.Fatal("nil grants without an error")
			}
			for i, g := range got {
				if !slices.Contains(Actions, g.Action) {
					t.Errorf("grant %q is not in Actions", g.Action)
				}
				if slices.Contains(Pull, g.Action) {
					t.Errorf("grant %q is a pull action", g.Action)
				}
				if i > 0 && got[i-1].Action >= g.Action {
					t.Errorf("grant %q follows %q: not sorted or not unique", g.Action, got[i-1].Action)
				}
				if g.Statement == "" || g.Pattern == "" {
					t.Errorf("grant %+v does not say where it came from", g)
				}
			}
		}
		// A JSON document and its URL encoding are the same policy. Documents that are not JSON to
		// begin with may already be URL-encoded, and encoding them again is not the same document.
		if !strings.HasPrefix(trimSpace(document), "{") || len(document) > maxDocumentBytes {
			return
		}
		encoded, encErr := ECRBeyondPull(encodeRFC3986(document))
		if (err == nil) != (encErr == nil) || (err != nil && err.Error() != encErr.Error()) {
			t.Fatalf("JSON gives error %v, URL-encoded gives error %v", err, encErr)
		}
		if !slices.Equal(got, encoded) {
			t.Fatalf("JSON gives\n%s\nURL-encoded gives\n%s", show(got), show(encoded))
		}
	})
}

// BenchmarkECRBeyondPullWorstCase measures the largest document accepted, filled with distinct
// wildcard patterns that each must be tried against every action.
func BenchmarkECRBeyondPullWorstCase(b *testing.B) {
	var patterns []string
	size := 0
	for i := 0; size < maxDocumentBytes-100_000; i++ {
		p := fmt.Sprintf(`"e*c*r*:*%d*"`, i)
		patterns = append(patterns, p)
		size += len(p) + 1
	}
	statements := make([]string, 1000)
	per := len(patterns) / len(statements)
	for i := range statements {
		statements[i] = `{"Effect":"Allow","NotAction":[` + strings.Join(patterns[i*per:(i+1)*per], ",") + `],"Resource":"*"}`
	}
	document := doc(statements...)
	if len(document) > maxDocumentBytes {
		b.Fatalf("document is %d bytes", len(document))
	}
	for b.Loop() {
		if _, err := ECRBeyondPull(document); err != nil {
			b.Fatal(err)
		}
	}
}
