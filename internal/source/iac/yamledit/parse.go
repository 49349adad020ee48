// Package yamledit reads YAML and JSON into yaml.Node trees that know their lines, and makes small,
// line-preserving edits to them: a suggested fix touches only the lines it must and keeps the author's
// indentation and style. JSON is read by its own small parser so that every node knows its exact span,
// which is what an edit that keeps the commas right needs.
//
// It serves the CloudFormation and eksctl adapters; it knows nothing about either format.
package yamledit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
)

// SyntaxError is a document that could not be parsed, with the 1-based line the parser blamed (0 when
// it named none) and, for a byte the parser cannot decode, its 1-based column.
type SyntaxError struct {
	Line   int
	Column int
	Msg    string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// ParseProblem reports a document that could not be parsed as a problem with file, at the error's
// line and column when it has them, its message after prefix ("not valid YAML: "), and a code that
// says whether the syntax, the nesting or eksguard's document limit stopped it.
func ParseProblem(file string, err error, prefix string) finding.Problem {
	p := finding.Problem{File: file, Code: finding.ProblemSyntax, Message: prefix + err.Error()}
	var se *SyntaxError
	if errors.As(err, &se) {
		p.Line, p.Column, p.Message = se.Line, se.Column, prefix+se.Msg
	}
	switch msg := p.Message; {
	case strings.Contains(msg, "max depth"), strings.Contains(msg, "too deeply nested"):
		p.Code = finding.ProblemNesting
	case se != nil && se.Msg == tooManyDocuments:
		p.Code = finding.ProblemLimit
	}
	return p
}

// ParseYAMLDocument reads the first document of a YAML stream; a later document is not looked at.
// It returns nil without error for a stream with no documents.
func ParseYAMLDocument(data []byte) (*yaml.Node, error) {
	n, err := parseFirst(data)
	if err != nil {
		return nil, locate(data, err, func(b []byte) *SyntaxError { _, err := parseFirst(b); return err })
	}
	return n, nil
}

func parseFirst(data []byte) (*yaml.Node, *SyntaxError) {
	var n yaml.Node
	err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&n)
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, yamlError(err)
	}
	return &n, nil
}

// MaxDocuments bounds how many documents of one YAML stream are read: a stream of empty documents
// ("---" repeated) must not cost more than its size suggests. A stream with more is an error, so that
// nothing after the limit goes unread in silence.
const MaxDocuments = 10000

// ParseYAML reads every document of a YAML stream. Documents read before an error are returned with it.
func ParseYAML(data []byte) ([]*yaml.Node, error) {
	docs, err := parseAll(data)
	if err != nil {
		if err.Msg == tooManyDocuments {
			return docs, err
		}
		return docs, locate(data, err, func(b []byte) *SyntaxError { _, err := parseAll(b); return err })
	}
	return docs, nil
}

var tooManyDocuments = fmt.Sprintf("the stream holds more than %d YAML documents; eksguard reads no further", MaxDocuments)

func parseAll(data []byte) ([]*yaml.Node, *SyntaxError) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return docs, yamlError(err)
		}
		if len(docs) == MaxDocuments {
			return docs, &SyntaxError{Line: n.Line, Msg: tooManyDocuments}
		}
		docs = append(docs, &n)
	}
	return docs, nil
}

// locate gives a parse error the best line it can: the position of an undecodable byte, which yaml.v3
// reports without one, or else the line refine finds.
func locate(data []byte, se *SyntaxError, parse func([]byte) *SyntaxError) *SyntaxError {
	if e := encodingError(data, se); e != nil {
		return e
	}
	return refine(data, se, parse)
}

// refineBudget bounds the bytes refine parses again, so that a broken file costs at most a fixed
// amount of work beyond its first parse.
const refineBudget = 32 << 20

// refine finds a better line for a YAML error. yaml.v3 often blames the line where the enclosing
// mapping began (line 1 for a bad key deep in a template); the first prefix of whole lines that fails
// with the same message ends at the line that broke it (for an unterminated quote or bracket, the line
// that opened it). A different message (a multi-line quoted string cut short, say) means the prefix
// broke for its own reason, and the parser's line stands.
func refine(data []byte, se *SyntaxError, parse func([]byte) *SyntaxError) *SyntaxError {
	spent := 0
	for i := 0; i < len(data); i++ {
		if data[i] != '\n' {
			continue
		}
		spent += i + 1
		if spent > refineBudget {
			break
		}
		pe := parse(data[:i+1])
		if pe == nil {
			continue
		}
		if pe.Msg == se.Msg {
			return &SyntaxError{Line: bytes.Count(data[:i], []byte("\n")) + 1, Msg: se.Msg}
		}
		break
	}
	// The parser may count a line past the end of the file.
	if lines := bytes.Count(data, []byte("\n")) + 1; se.Line > lines {
		if bytes.HasSuffix(data, []byte("\n")) {
			lines--
		}
		return &SyntaxError{Line: lines, Msg: se.Msg}
	}
	return se
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func yamlError(err error) *SyntaxError {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &SyntaxError{Line: line, Msg: m[2]}
	}
	if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	return &SyntaxError{Msg: msg}
}

var bom = []byte("\xef\xbb\xbf")

// IsJSON reports whether data looks like JSON: its first byte after white space opens an object.
func IsJSON(data []byte) bool {
	data = bytes.TrimPrefix(data, bom)
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}

// ParseJSON reads a JSON document into a yaml.Node tree (a document node) whose nodes carry their
// lines and columns, and returns the Doc that knows every node's span for edits. Strings become !!str
// scalars, so JSON never carries YAML tags.
func ParseJSON(data []byte) (*yaml.Node, *Doc, error) {
	start := 0
	if bytes.HasPrefix(data, bom) {
		start = len(bom)
	}
	d := NewDoc(data)
	// json.Valid checks the whole document without converting numbers (1e400 is valid JSON) or
	// copying it; only a broken document is decoded again, for the offset of its error.
	if !json.Valid(data[start:]) {
		var v json.RawMessage
		err := json.Unmarshal(data[start:], &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off := start + int(se.Offset) - 1
			if off < 0 {
				off = 0
			}
			return nil, nil, &SyntaxError{Line: d.LineOf(off), Msg: se.Error()}
		}
		msg := "not valid JSON"
		if err != nil {
			msg = err.Error()
		}
		return nil, nil, &SyntaxError{Msg: msg}
	}
	p := &jsonParser{data: data, i: start, doc: d}
	d.json = true
	d.spans = map[*yaml.Node]span{}
	root, err := p.value(0)
	if err != nil {
		return nil, nil, err
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Line: root.Line, Column: root.Column, Content: []*yaml.Node{root}}, d, nil
}

// maxJSONDepth matches encoding/json's own nesting limit, which has already accepted the document.
const maxJSONDepth = 10001

type jsonParser struct {
	data []byte
	i    int
	doc  *Doc
	// The position of the last node made: nodes come in file order, so the column of the next one
	// on the same line is counted from there, not from the start of the line, which for minified
	// JSON (one line) would make parsing quadratic.
	lastOff, lastLine, lastCol int
}

func (p *jsonParser) ws() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) fail(msg string) error {
	return &SyntaxError{Line: p.doc.LineOf(p.i), Msg: msg}
}

func (p *jsonParser) node(kind yaml.Kind, tag string, start int) *yaml.Node {
	var line, col int
	if l := p.doc.LineOf(start); l == p.lastLine && start >= p.lastOff {
		line, col = l, p.lastCol+utf8.RuneCount(p.data[p.lastOff:start])
	} else {
		line, col = p.doc.position(start)
	}
	p.lastOff, p.lastLine, p.lastCol = start, line, col
	return &yaml.Node{Kind: kind, Tag: tag, Line: line, Column: col}
}

func (p *jsonParser) value(depth int) (*yaml.Node, error) {
	if depth > maxJSONDepth {
		return nil, p.fail("too deeply nested")
	}
	p.ws()
	if p.i >= len(p.data) {
		return nil, p.fail("unexpected end of JSON input")
	}
	start := p.i
	var n *yaml.Node
	switch c := p.data[p.i]; {
	case c == '{':
		n = p.node(yaml.MappingNode, "!!map", start)
		n.Style = yaml.FlowStyle
		p.i++
		p.ws()
		if p.i < len(p.data) && p.data[p.i] == '}' {
			p.i++
			break
		}
		for {
			p.ws()
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			p.ws()
			if p.i >= len(p.data) || p.data[p.i] != ':' {
				return nil, p.fail("expected ':'")
			}
			p.i++
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, k, v)
			p.ws()
			if p.i < len(p.data) && p.data[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.data) && p.data[p.i] == '}' {
				p.i++
				break
			}
			return nil, p.fail("expected ',' or '}'")
		}
	case c == '[':
		n = p.node(yaml.SequenceNode, "!!seq", start)
		n.Style = yaml.FlowStyle
		p.i++
		p.ws()
		if p.i < len(p.data) && p.data[p.i] == ']' {
			p.i++
			break
		}
		for {
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, v)
			p.ws()
			if p.i < len(p.data) && p.data[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.data) && p.data[p.i] == ']' {
				p.i++
				break
			}
			return nil, p.fail("expected ',' or ']'")
		}
	case c == '"':
		return p.str()
	case bytes.HasPrefix(p.data[p.i:], []byte("true")), bytes.HasPrefix(p.data[p.i:], []byte("false")):
		n = p.node(yaml.ScalarNode, "!!bool", start)
		n.Value = "true"
		if c == 'f' {
			n.Value = "false"
		}
		p.i += len(n.Value)
	case bytes.HasPrefix(p.data[p.i:], []byte("null")):
		n = p.node(yaml.ScalarNode, "!!null", start)
		n.Value = "null"
		p.i += 4
	default:
		for p.i < len(p.data) && bytes.IndexByte([]byte("+-0123456789.eE"), p.data[p.i]) >= 0 {
			p.i++
		}
		if p.i == start {
			return nil, p.fail("unexpected character")
		}
		n = p.node(yaml.ScalarNode, "!!int", start)
		n.Value = string(p.data[start:p.i])
		if bytes.ContainsAny(p.data[start:p.i], ".eE") {
			n.Tag = "!!float"
		}
	}
	p.doc.spans[n] = span{start, p.i}
	return n, nil
}

func (p *jsonParser) str() (*yaml.Node, error) {
	start := p.i
	if p.i >= len(p.data) || p.data[p.i] != '"' {
		return nil, p.fail("expected a string")
	}
	p.i++
	for p.i < len(p.data) && p.data[p.i] != '"' {
		if p.data[p.i] == '\\' {
			p.i++
		}
		p.i++
	}
	if p.i >= len(p.data) {
		return nil, p.fail("unterminated string")
	}
	p.i++
	var s string
	// Most strings hold no escapes: their text is the string, as long as it is UTF-8 (which
	// encoding/json would otherwise repair with U+FFFD).
	if raw := p.data[start+1 : p.i-1]; bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		s = string(raw)
	} else if err := json.Unmarshal(p.data[start:p.i], &s); err != nil {
		return nil, p.fail(err.Error())
	}
	n := p.node(yaml.ScalarNode, "!!str", start)
	n.Value = s
	n.Style = yaml.DoubleQuotedStyle
	p.doc.spans[n] = span{start, p.i}
	return n, nil
}

// Doc is the text of one file: it turns node positions into offsets, and changes into line edits.
type Doc struct {
	data      []byte
	lineStart []int
	json      bool
	spans     map[*yaml.Node]span
}

type span struct{ start, end int }

// NewDoc indexes the lines of a YAML file.
func NewDoc(data []byte) *Doc {
	d := &Doc{data: data, lineStart: []int{0}}
	for i, b := range data {
		if b == '\n' {
			d.lineStart = append(d.lineStart, i+1)
		}
	}
	return d
}

// JSON reports whether the document was read as JSON.
func (d *Doc) JSON() bool { return d.json }

// Lines is the number of lines in the file.
func (d *Doc) Lines() int {
	n := len(d.lineStart)
	if n > 1 && d.lineStart[n-1] == len(d.data) {
		return n - 1
	}
	return n
}

// LineOf returns the 1-based line holding byte offset off.
func (d *Doc) LineOf(off int) int {
	lo, hi := 0, len(d.lineStart)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if d.lineStart[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1
}

// position returns the 1-based line and rune column of a byte offset, as yaml.v3 counts them.
func (d *Doc) position(off int) (int, int) {
	line := d.LineOf(off)
	ls := d.lineStart[line-1]
	if off > len(d.data) {
		off = len(d.data)
	}
	return line, utf8.RuneCount(d.data[ls:off]) + 1
}

// lineText returns line l (1-based) without its line break.
func (d *Doc) lineText(l int) string {
	if l < 1 || l > len(d.lineStart) {
		return ""
	}
	s := d.lineStart[l-1]
	e := len(d.data)
	if l < len(d.lineStart) {
		e = d.lineStart[l] - 1
	}
	if e < s {
		e = s
	}
	return string(bytes.TrimSuffix(d.data[s:e], []byte("\r")))
}

// lineEnd returns the offset of the end of line l, before its line break.
func (d *Doc) lineEnd(l int) int {
	if l < 1 {
		return 0
	}
	if l >= len(d.lineStart) {
		return len(d.data)
	}
	e := d.lineStart[l] - 1
	if e > 0 && d.data[e-1] == '\r' {
		e--
	}
	return e
}

// offset returns the byte offset where node n starts.
func (d *Doc) offset(n *yaml.Node) (int, bool) {
	if d.json {
		sp, ok := d.spans[n]
		return sp.start, ok
	}
	if n.Line < 1 || n.Line > len(d.lineStart) || n.Column < 1 {
		return 0, false
	}
	off := d.lineStart[n.Line-1]
	for c := 1; c < n.Column; c++ {
		if off >= len(d.data) || d.data[off] == '\n' {
			return 0, false
		}
		_, w := utf8.DecodeRune(d.data[off:])
		off += w
	}
	return off, true
}
