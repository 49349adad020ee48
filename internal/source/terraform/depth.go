package terraform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// maxNesting bounds how deeply a file may nest brackets, blocks, template interpolations and chains
// of unary operators or conditionals. HCL's parsers and evaluators recurse once per level, at several
// kilobytes of stack each: 100,000 nested "[" in a 100 KB file end in a fatal stack overflow that no
// recover can catch, and 100,000 "!" cost half a gigabyte. Real configurations nest a few dozen
// levels at most, so a file past the bound is refused before it is parsed, as the JSON and YAML
// readers refuse theirs.
const maxNesting = 256

// nestingProblem returns the problem of a file that nests deeper than maxNesting, or nil. It runs on
// the token stream of HCL's own lexer, which is iterative, so it is safe on any input.
func nestingProblem(data []byte, name string, isJSON bool) *iac.Problem {
	if isJSON {
		return jsonNesting(data, name)
	}
	quick := quickDepth(data, maxNesting) <= maxNesting
	if quick && len(data) <= maxTemplateParts {
		// The quick estimate never falls below the real depth, so the file is fine, and it is
		// too short to hold a template of more parts than the bound; only other files pay for a
		// second lexing by HCL's own lexer.
		return nil
	}
	toks, _ := hclsyntax.LexConfig(data, name, hcl.InitialPos)
	if !quick {
		if line, depth := tokenNesting(toks, 0); line > 0 {
			return tooDeep(name, line, depth)
		}
	}
	return templateParts(toks, name)
}

// maxTemplateParts bounds the literal parts of one template (a heredoc gives one per line, a quoted
// string one between interpolations). HCL's parser joins consecutive literals in time that grows
// with the square of their number: a 700 KB file of 100,000 heredoc lines takes 17 seconds to
// parse. 20,000 parts (a heredoc of 20,000 lines) parse in well under a second, and real
// configurations hold a few hundred at most.
const maxTemplateParts = 20000

// templateParts refuses a file with a template of more literal parts than maxTemplateParts.
func templateParts(toks hclsyntax.Tokens, name string) *iac.Problem {
	run, start := 0, 0
	for _, t := range toks {
		switch t.Type {
		case hclsyntax.TokenStringLit, hclsyntax.TokenQuotedLit:
			if run == 0 {
				start = t.Range.Start.Line
			}
			run++
			if run > maxTemplateParts {
				return &iac.Problem{File: name, Line: start, Code: finding.ProblemLimit, Message: fmt.Sprintf("a string or heredoc of more than %d parts (lines, or text between interpolations); eksguard does not read this file", maxTemplateParts)}
			}
		case hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl, hclsyntax.TokenTemplateSeqEnd:
			// Interpolations separate literals but stay in the same template: keep counting.
		default:
			if t.Type != hclsyntax.TokenIdent && t.Type != hclsyntax.TokenNumberLit && t.Type != hclsyntax.TokenDot {
				run = 0
			}
		}
	}
	return nil
}

// exprNesting is nestingProblem for a lone expression (a -var value).
func exprNesting(src []byte, name string) *iac.Problem {
	toks, _ := hclsyntax.LexExpression(src, name, hcl.InitialPos)
	if line, depth := tokenNesting(toks, 0); line > 0 {
		return tooDeep(name, line, depth)
	}
	return nil
}

func tooDeep(name string, line, depth int) *iac.Problem {
	return &iac.Problem{File: name, Line: line, Code: finding.ProblemNesting, Message: fmt.Sprintf("expressions or blocks nested more than %d levels deep (%d here); eksguard does not read this file", maxNesting, depth)}
}

// frame is one open bracket, block, quote or interpolation; ops counts the unary operators and
// conditionals met in it since its last separator, each of which the parser nests one level deeper.
type frame struct {
	brace bool // a newline separates items inside braces (block bodies, objects), not inside ( or [
	ops   int
}

// tokenNesting returns the line where the nesting first passes maxNesting (0 when it never does) and
// the depth there. base is the depth the tokens start at (a template inside a JSON string starts at
// the string's own depth).
func tokenNesting(toks hclsyntax.Tokens, base int) (int, int) {
	line, depth, _ := tokenDepth(toks, base, maxNesting)
	return line, depth
}

// tokenDepth is tokenNesting with a limit, also returning the deepest nesting seen.
func tokenDepth(toks hclsyntax.Tokens, base, limit int) (int, int, int) {
	var stack []frame
	top := frame{brace: true} // the file itself: items end at newlines
	depth := base
	directives := 0
	afterControl := false
	operand := false // whether the previous token ends an operand, so that "-" is binary
	push := func(brace bool) {
		stack = append(stack, top)
		top = frame{brace: brace}
		depth++
	}
	pop := func() {
		if len(stack) == 0 {
			return
		}
		depth -= 1 + top.ops
		top = stack[len(stack)-1]
		stack = stack[:len(stack)-1]
	}
	reset := func() {
		depth -= top.ops
		top.ops = 0
	}
	deepest := depth
	for _, t := range toks {
		wasControl := afterControl
		afterControl = false
		switch t.Type {
		case hclsyntax.TokenOBrace:
			push(true)
		case hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc, hclsyntax.TokenTemplateInterp:
			push(false)
		case hclsyntax.TokenTemplateControl:
			push(false)
			afterControl = true
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
			pop()
		case hclsyntax.TokenBang, hclsyntax.TokenQuestion, hclsyntax.TokenBitwiseNot:
			top.ops++
			depth++
		case hclsyntax.TokenMinus:
			if !operand {
				top.ops++
				depth++
			}
		case hclsyntax.TokenComma:
			reset()
		case hclsyntax.TokenNewline:
			if top.brace {
				reset()
			}
		case hclsyntax.TokenIdent:
			if wasControl {
				switch string(t.Bytes) {
				case "if", "for":
					directives++
					depth++
				case "endif", "endfor":
					if directives > 0 {
						directives--
						depth--
					}
				}
			}
		}
		switch t.Type {
		case hclsyntax.TokenIdent, hclsyntax.TokenNumberLit, hclsyntax.TokenCBrack, hclsyntax.TokenCParen,
			hclsyntax.TokenCBrace, hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc:
			operand = true
		case hclsyntax.TokenComment:
		default:
			operand = false
		}
		deepest = max(deepest, depth)
		if depth > limit {
			return t.Range.Start.Line, depth, deepest
		}
	}
	return 0, 0, deepest
}

// jsonNesting checks a .tf.json file: the nesting of its arrays and objects, plus, inside each string
// that Terraform reads as a template, the nesting of the template.
func jsonNesting(data []byte, name string) *iac.Problem {
	depth, line := 0, 1
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line++
		case '[', '{':
			depth++
			if depth > maxNesting {
				return tooDeep(name, line, depth)
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		case '"':
			end := stringEnd(data, i)
			raw := data[i : end+1]
			if hasTemplate(raw) {
				var s string
				if json.Unmarshal(raw, &s) == nil {
					toks, _ := hclsyntax.LexTemplate([]byte(s), name, hcl.Pos{Line: line, Column: 1, Byte: 0})
					if l, d := tokenNesting(toks, depth); l > 0 {
						return tooDeep(name, l, d)
					}
				}
			}
			line += strings.Count(string(raw), "\n")
			i = end
		}
	}
	return nil
}

// stringEnd returns the index of the quote that closes the JSON string opening at data[start], or the
// last index when it is never closed.
func stringEnd(data []byte, start int) int {
	for j := start + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return len(data) - 1
}

// hasTemplate reports whether a JSON string could hold a template sequence once unescaped.
func hasTemplate(raw []byte) bool {
	s := string(raw)
	return strings.Contains(s, "${") || strings.Contains(s, "%{") || strings.Contains(s, `\u`)
}

// quickDepth estimates, without allocating, the nesting tokenNesting finds in a native file, and
// never less. It is a second lexer that follows HCL's own (scan_tokens.rl in hclsyntax) wherever
// modes change: quoted strings with their escapes, interpolations and directives that end at the
// brace that balances them, heredocs and the line that ends them, comments (which swallow their
// newline). Its depth is counted as tokenNesting counts it, and where it simplifies, it does so
// upwards: every "-", "!" and "~" counts as a unary operator, and every directive as nested. A fuzz
// test holds it to never returning less than tokenNesting. It stops once the estimate passes limit.
func quickDepth(data []byte, limit int) int {
	if !utf8.Valid(data) {
		// HCL's lexer resynchronises after a broken sequence in ways not worth copying; such a
		// file is left to it.
		return limit + 1
	}
	const (
		modeCode = iota
		modeString
		modeHeredoc
	)
	type lexMode struct {
		kind   int
		marker []byte // heredoc: the closing marker
		bol    bool   // heredoc: at the start of a line, with no interpolation on it yet
	}
	modes := []lexMode{{kind: modeCode}}
	braces := 0
	var retBraces []int
	// The depth, as tokenNesting counts it: one per open frame, plus unary operators and
	// conditionals since the frame's last separator.
	type frame struct {
		brace bool
		ops   int
	}
	frames := []frame{{brace: true}}
	depth, max := 0, 0
	push := func(brace bool) {
		frames = append(frames, frame{brace: brace})
		depth++
	}
	pop := func() {
		if len(frames) > 1 {
			depth -= 1 + frames[len(frames)-1].ops
			frames = frames[:len(frames)-1]
		}
	}
	op := func() {
		frames[len(frames)-1].ops++
		depth++
	}
	separator := func(newline bool) {
		f := &frames[len(frames)-1]
		if !newline || f.brace {
			depth -= f.ops
			f.ops = 0
		}
	}
	beginSeq := func(control bool) {
		braces++
		retBraces = append(retBraces, braces)
		if m := &modes[len(modes)-1]; m.kind == modeHeredoc {
			m.bol = false
		}
		modes = append(modes, lexMode{kind: modeCode})
		push(false)
		if control {
			depth++ // a directive may nest (if, for); never taken back
		}
	}
	// endBrace handles "}" and "~}" in code: the end of an interpolation or directive when every
	// brace opened in it is closed, else a closing brace.
	endBrace := func() {
		if n := len(retBraces); n > 0 && retBraces[n-1] == braces {
			retBraces = retBraces[:n-1]
			if len(modes) > 1 {
				modes = modes[:len(modes)-1]
			}
		}
		braces--
		pop()
	}
	for i := 0; i < len(data) && max <= limit; i++ {
		m := &modes[len(modes)-1]
		c := data[i]
		switch m.kind {
		case modeString:
			switch {
			case c == '\\':
				i++ // an escape covers the next byte; a newline continues the string either way
			case c == '"':
				modes = modes[:len(modes)-1]
				pop()
			case (c == '$' || c == '%') && i+2 < len(data) && data[i+1] == c && data[i+2] == '{':
				i += 2 // $${ and %%{ are literal
			case (c == '$' || c == '%') && i+1 < len(data) && data[i+1] == '{':
				i++
				if i+1 < len(data) && data[i+1] == '~' {
					i++
				}
				beginSeq(c == '%')
			}
		case modeHeredoc:
			if m.bol {
				end := i
				for end < len(data) && data[end] != '\n' {
					end++
				}
				if end < len(data) && bytes.Equal(bytes.TrimSpace(data[i:end]), m.marker) {
					modes = modes[:len(modes)-1]
					pop()
					i = end - 1 // the newline that follows is code's
					break
				}
				m.bol = false
			}
			switch {
			case c == '\n':
				m.bol = true
			case (c == '$' || c == '%') && i+2 < len(data) && data[i+1] == c && data[i+2] == '{':
				i += 2
			case (c == '$' || c == '%') && i+1 < len(data) && data[i+1] == '{':
				i++
				if i+1 < len(data) && data[i+1] == '~' {
					i++
				}
				beginSeq(c == '%')
			}
		default: // code
			switch c {
			case '#':
				for i < len(data) && data[i] != '\n' {
					i++
				}
			case '/':
				switch {
				case i+1 < len(data) && data[i+1] == '/':
					for i < len(data) && data[i] != '\n' {
						i++
					}
				case i+1 < len(data) && data[i+1] == '*':
					if j := bytes.Index(data[i+2:], []byte("*/")); j >= 0 {
						i += 2 + j + 1
					}
					// Unterminated, HCL reads "/" and goes on lexing code; so does this.
				}
			case '"':
				modes = append(modes, lexMode{kind: modeString})
				push(false)
			case '<':
				marker, n := heredocStart(data[i:])
				if n < 0 {
					return limit + 1 // a marker this lexer cannot judge: leave it to HCL's
				}
				if marker != nil {
					modes = append(modes, lexMode{kind: modeHeredoc, marker: marker, bol: true})
					push(false)
					i += n - 1
				}
			case '{':
				braces++
				push(true)
			case '}':
				endBrace()
			case '~':
				if i+1 < len(data) && data[i+1] == '}' {
					i++
					endBrace()
				} else {
					op()
				}
			case '[', '(':
				push(false)
			case ']', ')':
				pop()
			case '!', '?', '-':
				op()
			case ',':
				separator(false)
			case '\n':
				separator(true)
			}
		}
		if depth > max {
			max = depth
		}
	}
	return max
}

// heredocStart recognises a heredoc introducer (<<ID or <<-ID, then a newline) at the start of b
// and returns its marker and length. It knows ASCII identifiers only; for a marker that starts with
// any other byte it returns n < 0, since HCL's idea of a Unicode identifier is not worth copying here.
func heredocStart(b []byte) (marker []byte, n int) {
	if len(b) < 3 || b[0] != '<' || b[1] != '<' {
		return nil, 0
	}
	j := 2
	if b[j] == '-' {
		j++
	}
	if j < len(b) && b[j] >= 0x80 {
		return nil, -1
	}
	start := j
	for j < len(b) && (b[j] == '_' || b[j] == '-' || b[j] >= '0' && b[j] <= '9' || b[j] >= 'a' && b[j] <= 'z' || b[j] >= 'A' && b[j] <= 'Z') {
		j++
	}
	if j < len(b) && b[j] >= 0x80 {
		return nil, -1
	}
	if j == start || b[start] == '-' || b[start] >= '0' && b[start] <= '9' {
		return nil, 0
	}
	marker = b[start:j]
	if j < len(b) && b[j] == '\r' {
		j++
	}
	if j >= len(b) || b[j] != '\n' {
		return nil, 0
	}
	return marker, j + 1
}
