package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

const (
	// maxDocumentBytes bounds the decoded JSON. IAM's own limits are far lower (6,144 characters for a
	// managed policy), so anything near this is not a policy IAM would have stored.
	maxDocumentBytes = 1 << 20
	// maxEncodedBytes lets a document of maxDocumentBytes through in URL-encoded form, which takes up to
	// three bytes per byte.
	maxEncodedBytes = 3 * maxDocumentBytes
	maxStatements   = 1000
)

// statement is one policy statement, reduced to what the ECR evaluation needs.
type statement struct {
	label       string   // Sid, or "statement N"
	allow       bool     // Effect is Allow (else Deny)
	notAction   bool     // actions came from NotAction
	actions     []string // Action or NotAction patterns, as written
	notResource bool     // resources came from NotResource
	resources   []string // Resource or NotResource patterns, as written
	conditional bool     // a non-empty Condition
}

// decode turns the document into JSON text: as given when it is JSON, or percent-decoded when it is
// URL-encoded, as IAM's GetPolicyVersion and GetRolePolicy return documents (RFC 3986 encoding).
func decode(document string) (string, error) {
	if len(document) > maxEncodedBytes {
		return "", fmt.Errorf("policy document is %d bytes, over the %d-byte limit", len(document), maxDocumentBytes)
	}
	text := trimSpace(document)
	if text == "" {
		return "", errors.New("policy document is empty")
	}
	if text[0] != '{' && strings.Contains(text, "%") {
		decoded, err := url.PathUnescape(text)
		if err != nil {
			return "", fmt.Errorf("policy document is neither JSON nor URL-encoded JSON: %w", err)
		}
		// Some encoders write a space as "+" (form encoding) rather than "%20"; RFC 3986 encoders never
		// leave a literal "+", so reading it as a space is only tried when the first reading fails.
		if !json.Valid([]byte(trimSpace(decoded))) && strings.Contains(text, "+") {
			if alt, err := url.QueryUnescape(text); err == nil && json.Valid([]byte(trimSpace(alt))) {
				decoded = alt
			}
		}
		text = trimSpace(decoded)
		if text == "" {
			return "", errors.New("policy document is empty")
		}
	}
	if len(text) > maxDocumentBytes {
		return "", fmt.Errorf("policy document is %d bytes, over the %d-byte limit", len(text), maxDocumentBytes)
	}
	return text, nil
}

// trimSpace trims what JSON counts as white space, and nothing else.
func trimSpace(s string) string { return strings.Trim(s, " \t\r\n") }

// parse reads a policy document into its statements. It is strict where IAM is strict: a document IAM
// would refuse to store is an error here, never a document that grants nothing.
func parse(text string) ([]statement, error) {
	var whole json.RawMessage
	if err := json.Unmarshal([]byte(text), &whole); err != nil {
		return nil, fmt.Errorf("policy document is not valid JSON: %w", err)
	}
	top, err := object(whole)
	if err != nil {
		return nil, fmt.Errorf("policy document: %w", err)
	}
	for _, key := range top.keys {
		switch key {
		case "Version", "Id", "Statement":
		default:
			return nil, fmt.Errorf("policy document: unknown element %q", key)
		}
	}
	if raw, ok := top.values["Version"]; ok {
		var v string
		if kind(raw) != "string" || json.Unmarshal(raw, &v) != nil {
			return nil, fmt.Errorf("policy document: Version must be a string, not %s", article(kind(raw)))
		}
		if v != "2012-10-17" && v != "2008-10-17" {
			return nil, fmt.Errorf("policy document: Version %q is not \"2012-10-17\" or \"2008-10-17\"", v)
		}
	}
	if raw, ok := top.values["Id"]; ok && kind(raw) != "string" {
		return nil, fmt.Errorf("policy document: Id must be a string, not %s", article(kind(raw)))
	}
	raw, ok := top.values["Statement"]
	if !ok {
		return nil, errors.New("policy document has no Statement")
	}
	var items []json.RawMessage
	switch kind(raw) {
	case "object":
		items = []json.RawMessage{raw}
	case "array":
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("policy document: Statement: %w", err)
		}
		if len(items) == 0 {
			return nil, errors.New("policy document: Statement is an empty array")
		}
	default:
		return nil, fmt.Errorf("policy document: Statement must be an object or an array of objects, not %s", article(kind(raw)))
	}
	if len(items) > maxStatements {
		return nil, fmt.Errorf("policy document has %d statements, over the limit of %d", len(items), maxStatements)
	}
	statements := make([]statement, 0, len(items))
	for i, item := range items {
		st, err := parseStatement(item, i+1)
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i+1, err)
		}
		statements = append(statements, st)
	}
	return statements, nil
}

func parseStatement(raw json.RawMessage, n int) (statement, error) {
	obj, err := object(raw)
	if err != nil {
		return statement{}, err
	}
	for _, key := range obj.keys {
		switch key {
		case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition":
		default:
			return statement{}, fmt.Errorf("unknown element %q", key)
		}
	}
	st := statement{label: fmt.Sprintf("statement %d", n)}

	if raw, ok := obj.values["Sid"]; ok {
		var sid string
		if kind(raw) != "string" || json.Unmarshal(raw, &sid) != nil {
			return statement{}, fmt.Errorf("Sid must be a string, not %s", article(kind(raw)))
		}
		if sid != "" {
			st.label = sid
		}
	}

	raw, ok := obj.values["Effect"]
	if !ok {
		return statement{}, errors.New("no Effect")
	}
	var effect string
	if kind(raw) != "string" || json.Unmarshal(raw, &effect) != nil {
		return statement{}, fmt.Errorf("Effect must be a string, not %s", article(kind(raw)))
	}
	switch effect {
	case "Allow":
		st.allow = true
	case "Deny":
	default:
		return statement{}, fmt.Errorf("Effect %q is invalid: IAM accepts only \"Allow\" or \"Deny\", case-sensitively", effect)
	}

	actionKey, err := exactlyOne(obj, "Action", "NotAction")
	if err != nil {
		return statement{}, err
	}
	st.notAction = actionKey == "NotAction"
	if st.actions, err = stringList(obj.values[actionKey]); err != nil {
		return statement{}, fmt.Errorf("%s %w", actionKey, err)
	}
	for _, a := range st.actions {
		if !allStars(a) && !strings.Contains(a, ":") {
			return statement{}, fmt.Errorf("%s %q is not \"*\" or of the form \"service:action\"", actionKey, a)
		}
	}

	resourceKey, err := exactlyOne(obj, "Resource", "NotResource")
	if err != nil {
		return statement{}, err
	}
	st.notResource = resourceKey == "NotResource"
	if st.resources, err = stringList(obj.values[resourceKey]); err != nil {
		return statement{}, fmt.Errorf("%s %w", resourceKey, err)
	}

	if raw, ok := obj.values["Condition"]; ok {
		cond, err := object(raw)
		if err != nil {
			return statement{}, fmt.Errorf("Condition: %w", err)
		}
		// An empty Condition block imposes nothing; IAM treats it as absent.
		st.conditional = len(cond.keys) > 0
	}
	return st, nil
}

// exactlyOne returns which of the two elements the statement has, and fails when it has both or neither.
func exactlyOne(obj jsonObject, a, b string) (string, error) {
	_, hasA := obj.values[a]
	_, hasB := obj.values[b]
	switch {
	case hasA && hasB:
		return "", fmt.Errorf("has both %s and %s", a, b)
	case hasA:
		return a, nil
	case hasB:
		return b, nil
	default:
		return "", fmt.Errorf("has neither %s nor %s", a, b)
	}
}

// stringList reads an element that IAM allows as one string or an array of strings. The error it
// returns reads on from the element's name.
func stringList(raw json.RawMessage) ([]string, error) {
	var list []string
	switch kind(raw) {
	case "string":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("is not a valid string: %w", err)
		}
		list = []string{s}
	case "array":
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("is not a valid array: %w", err)
		}
		if len(items) == 0 {
			return nil, errors.New("is an empty array")
		}
		for i, item := range items {
			var s string
			if kind(item) != "string" || json.Unmarshal(item, &s) != nil {
				return nil, fmt.Errorf("entry %d must be a string, not %s", i+1, article(kind(item)))
			}
			list = append(list, s)
		}
	default:
		return nil, fmt.Errorf("must be a string or an array of strings, not %s", article(kind(raw)))
	}
	for _, s := range list {
		if s == "" {
			return nil, errors.New("has an empty string")
		}
	}
	return list, nil
}

// jsonObject is a JSON object with its keys in document order.
type jsonObject struct {
	keys   []string
	values map[string]json.RawMessage
}

// object reads a JSON object, refusing duplicate keys: which of two "Effect"s IAM would honour is not
// something to guess about.
func object(raw json.RawMessage) (jsonObject, error) {
	if kind(raw) != "object" {
		return jsonObject{}, fmt.Errorf("must be an object, not %s", article(kind(raw)))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // the opening brace
		return jsonObject{}, err
	}
	obj := jsonObject{values: map[string]json.RawMessage{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonObject{}, err
		}
		key, ok := tok.(string)
		if !ok {
			return jsonObject{}, fmt.Errorf("unexpected %v", tok)
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return jsonObject{}, fmt.Errorf("element %q: %w", key, err)
		}
		if _, dup := obj.values[key]; dup {
			return jsonObject{}, fmt.Errorf("element %q appears more than once", key)
		}
		obj.keys = append(obj.keys, key)
		obj.values[key] = value
	}
	return obj, nil
}

// kind names the JSON type of a raw value.
func kind(raw json.RawMessage) string {
	t := bytes.TrimLeft(raw, " \t\r\n")
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

func article(kind string) string {
	switch kind {
	case "object", "array":
		return "an " + kind
	case "null", "nothing":
		return kind
	default:
		return "a " + kind
	}
}
