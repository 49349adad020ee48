package yamledit

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name, data string
		errLine    int
		check      func(*yaml.Node, *Doc) string
	}{
		{name: "positions and spans", data: "{\n  \"a\": [1, \"x\"],\n  \"é\": {\"b\": true}\n}\n", check: func(root *yaml.Node, d *Doc) string {
			m := root.Content[0]
			k, v := Lookup(m, "é")
			if k.Line != 3 || k.Column != 3 || v.Column != 8 {
				return "wrong position of é"
			}
			_, b := Lookup(v, "b")
			if b.ShortTag() != "!!bool" || b.Value != "true" {
				return "b is not a bool"
			}
			sp := d.spans[v]
			if got := string(d.data[sp.start:sp.end]); got != `{"b": true}` {
				return "span " + got
			}
			_, a := Lookup(m, "a")
			if a.Content[0].ShortTag() != "!!int" || a.Content[1].Style != yaml.DoubleQuotedStyle {
				return "scalar tags"
			}
			return ""
		}},
		{name: "escapes", data: `{"a\"b": "\u00e9\n"}`, check: func(root *yaml.Node, d *Doc) string {
			if k, v := Lookup(root.Content[0], `a"b`); k == nil || v.Value != "é\n" {
				return "escapes not decoded"
			}
			return ""
		}},
		{name: "huge number", data: `{"a": 1e400}`, check: func(root *yaml.Node, d *Doc) string {
			if _, v := Lookup(root.Content[0], "a"); v.ShortTag() != "!!float" || v.Value != "1e400" {
				return "number not kept as written"
			}
			return ""
		}},
		{name: "trailing comma", data: "{\n  \"a\": 1,\n}\n", errLine: 3},
		{name: "truncated", data: "{\n  \"a\": [1,\n", errLine: 2},
		{name: "garbage after", data: "{}\n}", errLine: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, d, err := ParseJSON([]byte(tt.data))
			if tt.errLine > 0 {
				se, ok := err.(*SyntaxError)
				if !ok || se.Line != tt.errLine {
					t.Fatalf("error %v, want one at line %d", err, tt.errLine)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if msg := tt.check(root, d); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func TestParseYAMLErrors(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
		msg        string
	}{
		{"bad indentation deep in a mapping", "a:\n  b:\n    c: 1\n   d: 2\n", 4, "did not find expected key"},
		{"unterminated flow sequence", "a:\n  b: [1, 2\n  c: 3\n", 2, "did not find expected ',' or ']'"},
		{"tab indentation", "a: 1\n\tb: 2\n", 2, "tab character"},
		{"unterminated quote at its opening line", "a: \"x\n  y\nb: 1\n c: 2\n", 1, "end of stream"},
		{"a quote that closes keeps the parser's line", "a: \"x\n  y\"\nb: 1\n c: 2\n", 4, "mapping values"},
		{"second document broken", "a: 1\n---\nb: [\n", 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYAML([]byte(tt.data))
			se, ok := err.(*SyntaxError)
			if !ok || se.Line != tt.line || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("error %v, want line %d with %q", err, tt.line, tt.msg)
			}
		})
	}
	docs, err := ParseYAML([]byte("a: 1\n---\nb: 2\n---\n"))
	if err != nil || len(docs) != 3 {
		t.Errorf("%d documents, %v", len(docs), err)
	}
	if n, err := ParseYAMLDocument(nil); n != nil || err != nil {
		t.Errorf("empty input: %v %v", n, err)
	}
}

// applyEdits applies edits with the one definition of an edit.
func applyEdits(t *testing.T, data string, edits []finding.Edit) string {
	t.Helper()
	out, err := finding.ApplyEdits([]byte(data), edits)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestSet(t *testing.T) {
	nested := []KV{{Key: "c", Value: []KV{{Key: "x", Value: true}}}, {Key: "l", Value: []string{"10.0.0.0/8", "::/0"}}}
	tests := []struct {
		name, data string
		path       []string
		kvs        []KV
		want       string // the edited document, or "error: <substring>"
	}{
		{name: "replace and append in a block mapping", data: "a:\n  b:\n    x: false  # old\n    y: 1\nz: 2\n",
			path: []string{"a", "b"}, kvs: []KV{{"x", true}, {"new", []string{"1.2.3.4/32"}}},
			want: "a:\n  b:\n    x: true\n    y: 1\n    new:\n      - 1.2.3.4/32\nz: 2\n"},
		{name: "create missing parents with the author's indentation", data: "a:\n    k: 1\n",
			path: []string{"a", "b"}, kvs: []KV{{"x", true}},
			want: "a:\n    k: 1\n    b:\n        x: true\n"},
		{name: "rewrite a flow mapping", data: "a:\n  b: {k: [1, 2], x: 1}\nc: 3\n",
			path: []string{"a", "b"}, kvs: []KV{{"x", false}},
			want: "a:\n  b:\n    k: [1, 2]\n    x: false\nc: 3\n"},
		{name: "nested mapping values", data: "a:\n  c:\n    y: 1\n  l: [1]\n",
			path: []string{"a"}, kvs: nested,
			want: "a:\n  c:\n    y: 1\n    x: true\n  l: [10.0.0.0/8, \"::/0\"]\n"},
		{name: "nested mapping created", data: "a:\n  k: 1\n",
			path: []string{"a"}, kvs: nested,
			want: "a:\n  k: 1\n  c:\n    x: true\n  l:\n    - 10.0.0.0/8\n    - ::/0\n"},
		{name: "block scalar and comments end the entry by indentation", data: "a:\n  s: |\n    text\n\n    more\n  # note\nb: 1\n",
			path: []string{"a"}, kvs: []KV{{"s", true}},
			want: "a:\n  s: true\n  # note\nb: 1\n"},
		{name: "compact sequence at the key's indentation", data: "a:\n  l:\n  - x\n  - y\n  k: 1\n",
			path: []string{"a"}, kvs: []KV{{"l", []string{"z"}}},
			want: "a:\n  l:\n  - z\n  k: 1\n"},
		{name: "mapping inside a sequence item", data: "- a: 1\n  b: 2\n- c: 3\n",
			path: nil, kvs: nil, want: "- a: 1\n  b: 2\n- c: 3\n"},
		{name: "flow and quoted values that end below their key's indentation", data: "a:\n b: [x, \"it's\", it's, {c: 'd''e'}\n]\n c: \"q\n\"\nz: 1\n",
			path: []string{"a"}, kvs: []KV{{"b", true}, {"c", false}},
			want: "a:\n b: true\n c: false\nz: 1\n"},
		{name: "lone CR line breaks refused", data: "a:\r  b: 1\r", path: []string{"a"}, kvs: []KV{{"b", true}}, want: "error: lone CR"},
		{name: "alias refused", data: "x: &x {k: 1}\na: *x\n", path: []string{"a"}, kvs: []KV{{"k", true}}, want: "error: YAML alias"},
		{name: "anchored mapping refused", data: "a: &x\n  k: 1\nb: *x\n", path: []string{"a"}, kvs: []KV{{"k", true}}, want: "error: YAML anchor &x"},
		{name: "anchored value refused", data: "a:\n  k: &v [1]\nb: *v\n", path: []string{"a"}, kvs: []KV{{"k", true}}, want: "error: doc.a.k holds the YAML anchor &v"},
		{name: "merged key refused", data: "base: &b\n  k: 1\na:\n  <<: *b\n  j: 2\n", path: []string{"a"}, kvs: []KV{{"k", true}}, want: "error: takes k from a YAML merge key"},
		{name: "key beside a merge is set locally", data: "base: &b\n  k: 1\na:\n  <<: *b\n  j: 2\n", path: []string{"a"}, kvs: []KV{{"n", true}},
			want: "base: &b\n  k: 1\na:\n  <<: *b\n  j: 2\n  n: true\n"},
		{name: "custom tag refused", data: "a: !If [c, {}, {}]\n", path: []string{"a"}, kvs: []KV{{"k", true}}, want: "error: computed by !If"},
		{name: "flow mapping not on its own line refused", data: "a: {b: {c: 1}}\n", path: []string{"a", "b"}, kvs: []KV{{"k", true}},
			want: "a:\n  b:\n    c: 1\n    k: true\n"},
		{name: "scalar where a mapping belongs", data: "a: 1\n", path: []string{"a"}, kvs: []KV{{"k", true}}, want: "error: not a mapping"},
		{name: "last line without a line break", data: "a:\n  b: 1", path: []string{"a"}, kvs: []KV{{"c", true}}, want: "a:\n  b: 1\n  c: true"},
		// Strings, lists of mappings and items of lists.
		{name: "strings replaced and added, quoted only when they must be", data: "a:\n  m: CONFIG_MAP\n  q: \"x\"\n",
			path: []string{"a"}, kvs: []KV{{"m", "API"}, {"q", "y"}, {"n", "true"}, {"l", "two\nlines"}},
			want: "a:\n  m: API\n  q: \"y\"\n  n: \"true\"\n  l: \"two\\nlines\"\n"},
		{name: "list of mappings created", data: "a:\n  k: 1\n",
			path: []string{"a"}, kvs: []KV{{"l", [][]KV{{{"T", "x"}}, {{"R", []string{"s"}}, {"P", []KV{{"K", "v"}}}}}}},
			want: "a:\n  k: 1\n  l:\n    - T: x\n    - R:\n        - s\n      P:\n        K: v\n"},
		{name: "list of mappings replaces a block list at its indentation", data: "a:\n  l:\n  - T: x\n  k: 1\n",
			path: []string{"a"}, kvs: []KV{{"l", [][]KV{{{"T", "w"}}, {{"T", "z"}}}}},
			want: "a:\n  l:\n  - T: w\n  - T: z\n  k: 1\n"},
		{name: "list of mappings replaces a flow list in flow style", data: "a:\n  l: [{T: x}]\n",
			path: []string{"a"}, kvs: []KV{{"l", [][]KV{{{"T", "w"}}, {{"T", "::1"}}, {{"T", "y"}}}}},
			want: "a:\n  l: [{T: w}, {T: \"::1\"}, {T: \"y\"}]\n"},
		{name: "empty list of mappings", data: "a:\n  l: [{T: x}]\n", path: []string{"a"}, kvs: []KV{{"l", [][]KV{}}}, want: "a:\n  l: []\n"},
		{name: "quoted lists stay quoted", data: "a:\n  f: ['x']\n  b:\n    - \"y\"\n",
			path: []string{"a"}, kvs: []KV{{"f", []string{"p", "it's"}}, {"b", []string{"q"}}},
			want: "a:\n  f: ['p', 'it''s']\n  b:\n    - \"q\"\n"},
		{name: "item of a block list edited in place", data: "a:\n  - R: [s]\n    P:\n      K: old\n  - R: [t]\n",
			path: nil, kvs: []KV{{"a", Item{0, []KV{{"P", []KV{{"K", "new"}}}}}}},
			want: "a:\n  - R: [s]\n    P:\n      K: new\n  - R: [t]\n"},
		{name: "item of a block list gains a mapping", data: "a:\n  - R: [s]\nb: 1\n",
			path: nil, kvs: []KV{{"a", Item{0, []KV{{"P", []KV{{"K", "new"}}}}}}},
			want: "a:\n  - R: [s]\n    P:\n      K: new\nb: 1\n"},
		{name: "item of a flow list: the list is written again", data: "a: [{R: [s], P: {K: old}}]\nb: 1\n",
			path: nil, kvs: []KV{{"a", Item{0, []KV{{"P", []KV{{"K", "new"}}}}}}},
			want: "a: [{R: [s], P: {K: new}}]\nb: 1\n"},
		{name: "flow item of a block list: the list is written again", data: "a:\n  - {R: [s]}\n",
			path: nil, kvs: []KV{{"a", Item{0, []KV{{"P", []KV{{"K", "new"}}}}}}},
			want: "a:\n  - R: [s]\n    P:\n      K: new\n"},
		{name: "item that is not there refused", data: "a: [{R: [s]}]\n", path: nil, kvs: []KV{{"a", Item{3, nil}}}, want: "error: doc.a has no item 3"},
		{name: "item of a missing list refused", data: "b: 1\n", path: nil, kvs: []KV{{"a", Item{0, nil}}}, want: "error: doc has no a to change"},
		{name: "computed item refused", data: "a: [!If [c, {R: [s]}, x]]\n", path: nil, kvs: []KV{{"a", Item{0, []KV{{"P", true}}}}}, want: "error: doc.a[0] is computed by !If"},
		{name: "anchored list refused", data: "a: [&x {R: [s]}]\nb: *x\n", path: nil, kvs: []KV{{"a", Item{0, []KV{{"P", true}}}}}, want: "error: YAML anchor &x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := ParseYAML([]byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			root := docs[0].Content[0]
			d := NewDoc([]byte(tt.data))
			e := d.Editor()
			if root.Kind == yaml.SequenceNode {
				// Only the mapping inside the first item is edited here: nothing to set.
				edits, _ := e.Edits("f", "f")
				if len(edits) != 0 {
					t.Errorf("edits %v", edits)
				}
				return
			}
			err = e.Set(nil, root, "doc", tt.path, tt.kvs)
			if strings.HasPrefix(tt.want, "error: ") {
				if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(tt.want, "error: ")) {
					t.Errorf("error %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			edits, err := e.Edits("f", "f")
			if err != nil {
				t.Fatal(err)
			}
			got := applyEdits(t, tt.data, edits)
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s\nedits %+v", got, tt.want, edits)
			}
			if _, err := ParseYAML([]byte(got)); err != nil {
				t.Errorf("edited document does not parse: %v", err)
			}
		})
	}
}

func TestSetJSON(t *testing.T) {
	tests := []struct {
		name, data string
		path       []string
		kvs        []KV
		want       string
	}{
		{name: "replace and append keeping commas", data: "{\n  \"a\": {\n    \"x\": false,\n    \"y\": 1\n  }\n}\n",
			path: []string{"a"}, kvs: []KV{{"x", true}, {"l", []string{"1.2.3.4/32"}}},
			want: "{\n  \"a\": {\n    \"x\": true,\n    \"y\": 1,\n    \"l\": [\n      \"1.2.3.4/32\"\n    ]\n  }\n}\n"},
		{name: "create missing parents", data: "{\n\t\"a\": {\n\t\t\"k\": 1\n\t}\n}\n",
			path: []string{"a", "b"}, kvs: []KV{{"x", true}},
			want: "{\n\t\"a\": {\n\t\t\"k\": 1,\n\t\t\"b\": {\n\t\t\t\"x\": true\n\t\t}\n\t}\n}\n"},
		{name: "empty object and null", data: "{\"a\": {}, \"b\": null}",
			path: nil, kvs: []KV{{"a", []KV{{"x", true}}}, {"b", []KV{{"y", false}}}},
			want: "{\"a\": {\"x\": true}, \"b\": {\"y\": false}}"},
		{name: "single-line object", data: "{\"a\": {\"k\": [1, 2]}}\n",
			path: []string{"a"}, kvs: []KV{{"k", []string{"x"}}, {"n", false}},
			want: "{\"a\": {\"k\": [\"x\"], \"n\": false}}\n"},
		{name: "strings and lists of objects, on one line", data: "{\"a\": {\"m\": \"CONFIG_MAP\", \"l\": [{\"T\": \"x\"}]}}\n",
			path: []string{"a"}, kvs: []KV{{"m", "API"}, {"l", [][]KV{{{"T", "y"}}, {{"T", "z"}}}}},
			want: "{\"a\": {\"m\": \"API\", \"l\": [{\"T\": \"y\"}, {\"T\": \"z\"}]}}\n"},
		{name: "list of objects added, pretty", data: "{\n  \"a\": {\n    \"k\": 1\n  }\n}\n",
			path: []string{"a"}, kvs: []KV{{"l", [][]KV{{{"R", []string{"s"}}, {"P", []KV{{"K", "v"}}}}}}},
			want: "{\n  \"a\": {\n    \"k\": 1,\n    \"l\": [\n      {\n        \"R\": [\n          \"s\"\n        ],\n        \"P\": {\n          \"K\": \"v\"\n        }\n      }\n    ]\n  }\n}\n"},
		{name: "item of a list", data: "{\"a\": [{\"R\": [\"s\"]}, {\"R\": [\"t\"], \"P\": {\"K\": \"old\"}}]}",
			path: nil, kvs: []KV{{"a", Item{1, []KV{{"P", []KV{{"K", "new"}}}}}}},
			want: "{\"a\": [{\"R\": [\"s\"]}, {\"R\": [\"t\"], \"P\": {\"K\": \"new\"}}]}"},
		{name: "item of a list gains an object", data: "{\"a\": [{\"R\": [\"s\"]}]}",
			path: nil, kvs: []KV{{"a", Item{0, []KV{{"P", []KV{{"K", "new"}}}}}}},
			want: "{\"a\": [{\"R\": [\"s\"], \"P\": {\"K\": \"new\"}}]}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, d, err := ParseJSON([]byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			e := d.Editor()
			if err := e.Set(nil, root.Content[0], "doc", tt.path, tt.kvs); err != nil {
				t.Fatal(err)
			}
			edits, err := e.Edits("f", "f")
			if err != nil {
				t.Fatal(err)
			}
			got := applyEdits(t, tt.data, edits)
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("not JSON: %s", got)
			}
		})
	}
}

func TestLookupMerge(t *testing.T) {
	docs, err := ParseYAML([]byte("base: &b {k: 1, j: 0}\nmore: &m {z: 9}\na:\n  <<: [*b, *m]\n  j: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, a := Lookup(docs[0].Content[0], "a")
	for key, want := range map[string]string{"k": "1", "j": "2", "z": "9"} {
		if _, v := Lookup(a, key); v == nil || v.Value != want {
			t.Errorf("%s = %v, want %s", key, v, want)
		}
	}
	if k, _ := Lookup(a, "none"); k != nil {
		t.Error("found a missing key")
	}
	// Merges that fan out: 20 aliases per level, 8 levels deep, none holding the key.
	var b strings.Builder
	b.WriteString("l0: &l0 {x: 1}\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "l%d: &l%d {<<: [%s]}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 20), ", "))
	}
	docs, err = ParseYAML([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	_, top := Lookup(docs[0].Content[0], "l8")
	if k, _ := Lookup(top, "missing"); k != nil {
		t.Error("found a missing key")
	}
	if _, v := Lookup(top, "x"); v == nil || v.Value != "1" {
		t.Error("merged key not found")
	}
}

func TestEditsTrimUnchangedLines(t *testing.T) {
	data := "a:\n  b: 1\n  c: 2\n"
	d := NewDoc([]byte(data))
	e := d.Editor()
	// Rewrite both entries, one unchanged: only the changed line is reported.
	e.splices = []splice{{start: 5, end: 9, text: "b: 1"}, {start: 12, end: 16, text: "c: 3"}}
	edits, err := e.Edits("f", "p")
	if err != nil {
		t.Fatal(err)
	}
	want := []finding.Edit{{File: "f", Path: "p", Line: 3, Remove: 1, Insert: []string{"  c: 3"}}}
	if len(edits) != 1 || edits[0].Line != want[0].Line || edits[0].Remove != 1 || strings.Join(edits[0].Insert, "|") != "  c: 3" {
		t.Errorf("edits %+v, want %+v", edits, want)
	}
	e.splices = []splice{{start: 5, end: 9, text: "x"}, {start: 7, end: 10, text: "y"}}
	if _, err := e.Edits("f", "p"); err == nil {
		t.Error("overlapping changes accepted")
	}
}

func TestKVs(t *testing.T) {
	want := model.Settings{
		EndpointPublicAccess:  model.Ptr(false),
		EndpointPrivateAccess: model.Ptr(true),
		EnabledLogTypes:       []string{"api", "audit"},
		AuthenticationMode:    model.Ptr("API"),
		SecretsKeyARN:         model.Ptr("arn:aws:kms:us-east-1:111111111111:key/k"),
	}
	names := map[model.Field]string{
		model.FieldEndpointPublicAccess:  "Vpc.Public",
		model.FieldEndpointPrivateAccess: "Vpc.Private",
		model.FieldEnabledLogTypes:       "Logging.Cluster.Types[].Type",
		model.FieldAuthenticationMode:    "Mode",
	}
	kvs, missing := KVs(want, names)
	if fmt.Sprint(missing) != "[secretsKeyArn]" {
		t.Errorf("missing %v", missing)
	}
	got := describeValue(kvs)
	if w := "{Vpc: {Public: false, Private: true}, Logging: {Cluster: {Types: [{Type: api}, {Type: audit}]}}, Mode: API}"; got != w {
		t.Errorf("KVs\n got %s\nwant %s", got, w)
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		path []string
		kvs  []KV
		want string
	}{
		{"settings below one mapping name it", []string{"Properties"}, []KV{{"Vpc", []KV{{"A", true}, {"B", []string{"x", "y"}}}}},
			"set A to true, B to [x, y] in Properties.Vpc of T r"},
		{"settings in different places", nil, []KV{{"vpc", []KV{{"e", []KV{{"p", false}}}}}, {"mode", "API"}},
			"set vpc.e.p to false, mode to API in T r"},
		{"one setting keeps its own key", nil, []KV{{"a", []KV{{"b", "x"}}}}, "set b to x in a of T r"},
		{"lists of mappings and items", []string{"P"}, []KV{{"L", [][]KV{{{"T", "api"}}}}, {"E", Item{0, []KV{{"K", "k"}}}}},
			"set L to [{T: api}], E[0].K to k in P of T r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Describe(tt.path, "T r", tt.kvs); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParseProblem(t *testing.T) {
	tests := []struct {
		name, data string
		want       finding.Problem
	}{
		{"syntax", "a: [\n", finding.Problem{File: "f", Line: 1, Code: finding.ProblemSyntax, Message: "bad: did not find expected node content"}},
		{"encoding", "a: caf\xe9\n", finding.Problem{File: "f", Line: 1, Column: 7, Code: finding.ProblemSyntax, Message: "bad: incomplete UTF-8 octet sequence (byte 0xE9 at column 7)"}},
		{"nesting", strings.Repeat("[", 20000), finding.Problem{File: "f", Code: finding.ProblemNesting}},
		{"documents", strings.Repeat("---\n", MaxDocuments+2), finding.Problem{File: "f", Code: finding.ProblemLimit}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYAML([]byte(tt.data))
			if err == nil {
				t.Fatal("no error")
			}
			got := ParseProblem("f", err, "bad: ")
			if got.Code != tt.want.Code || got.File != "f" || tt.want.Message != "" && (got.Line != tt.want.Line || got.Column != tt.want.Column || !strings.HasPrefix(got.Message, tt.want.Message)) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
