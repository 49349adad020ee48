package terraform

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

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
	toks, _ := hclsyntax.LexConfig(data, name, hcl.InitialPos)
	if line, depth := tokenNesting(toks, 0); line > 0 {
		return tooDeep(name, line, depth)
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
	return &iac.Problem{File: name, Line: line, Message: fmt.Sprintf("expressions or blocks nested more than %d levels deep (%d here); eksguard does not read this file", maxNesting, depth)}
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
		if depth > maxNesting {
			return t.Range.Start.Line, depth
		}
	}
	return 0, 0
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
