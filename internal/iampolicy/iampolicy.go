// Package iampolicy evaluates IAM policy documents for the Amazon ECR actions they allow, so that CIS
// Amazon EKS Benchmark control 5.1.3 ("Minimize cluster access to read-only for Amazon ECR") can be
// judged from the policies of a cluster's node roles: a node may pull images and do nothing else in ECR.
//
// It evaluates one document at a time, as IAM does within a policy: Allow statements grant, and a Deny
// takes an action away only when it is sure to apply. Recognising AWS managed policies by ARN, and
// combining the policies of a role, are the caller's business.
package iampolicy

import (
	"fmt"
	"slices"
	"strings"
)

// Grant is one ECR action beyond pull that a policy document allows.
type Grant struct {
	Action    string // canonical "ecr:PutImage"
	Statement string // the statement's Sid, or "statement N" (1-based) when it has none
	// Pattern is what in the statement allowed it: "ecr:*", "ecr:Put*", "*" (as written in the
	// document), or "NotAction [ecr:Delete*]" for a statement that allows by exclusion.
	Pattern string
	// Conditional is true when every statement allowing it has a Condition. It is still reported: a
	// condition narrows a grant, it does not remove it.
	Conditional bool
}

// ECRBeyondPull parses an IAM policy document (JSON; also URL-encoded JSON as IAM's GetPolicyVersion
// and GetRolePolicy return it) and returns every ECR action beyond the four pull actions that it allows,
// sorted by action, one Grant per action (the first allowing statement in document order).
//
// A document that says nothing about ECR gives an empty, non-nil slice. A document that cannot be read
// (not JSON, no Statement, an element of the wrong type, an Effect IAM would refuse) is an error, never
// an empty answer, so that a policy this package misunderstands can never pass the check.
func ECRBeyondPull(document string) ([]Grant, error) {
	text, err := decode(document)
	if err != nil {
		return nil, err
	}
	statements, err := parse(text)
	if err != nil {
		return nil, err
	}
	return evaluate(statements), nil
}

// evaluate applies IAM's rule within one document: an action is allowed when some Allow statement
// matches it and no Deny statement does. Only a Deny that is certain to match every request for the
// action counts, because a conditional or narrowed Deny leaves some requests allowed.
func evaluate(statements []statement) []Grant {
	type allowed struct {
		first         int // index of the first allowing statement, -1 when none
		pattern       string
		unconditional bool // some allowing statement has no Condition
		denied        bool
	}
	state := make([]allowed, len(ecrActions))
	for i := range state {
		state[i].first = -1
	}
	for si, st := range statements {
		if !st.allow && !certainDeny(st) {
			continue
		}
		hits := matchActions(st)
		for ai, pattern := range hits {
			if pattern == "" {
				continue
			}
			a := &state[ai]
			if !st.allow {
				if coversAction(st.resources, ecrActions[ai]) {
					a.denied = true
				}
				continue
			}
			if a.first < 0 {
				a.first, a.pattern = si, pattern
			}
			if !st.conditional {
				a.unconditional = true
			}
		}
	}
	grants := []Grant{}
	for ai, a := range state {
		if a.first < 0 || a.denied || slices.Contains(pullActions, ecrActions[ai]) {
			continue
		}
		grants = append(grants, Grant{
			Action:      ecrActions[ai],
			Statement:   statements[a.first].label,
			Pattern:     a.pattern,
			Conditional: !a.unconditional,
		})
	}
	// ecrActions is sorted, so grants already are; sorting again keeps that true should the list's
	// order ever slip.
	slices.SortFunc(grants, func(x, y Grant) int { return strings.Compare(x.Action, y.Action) })
	return grants
}

// certainDeny reports whether a Deny statement applies to every request it names, before resources are
// looked at: a Condition may not hold, and a NotResource leaves resources undenied.
func certainDeny(st statement) bool {
	return !st.allow && !st.conditional && !st.notResource
}

// coversAction reports whether a Deny's Resource list matches every resource the action can be
// requested on.
func coversAction(resources []string, action string) bool {
	scoped := slices.Contains(repositoryScoped, action)
	for _, r := range resources {
		if coversEverything(r) || (scoped && coversRepositories(r)) {
			return true
		}
	}
	return false
}

// matchActions returns, for each entry of ecrActions, what in the statement matches it: the first
// Action pattern that does, a description of the NotAction list when the action escapes it, or "" when
// the statement does not name the action.
func matchActions(st statement) []string {
	hits := make([]string, len(ecrActions))
	if st.notAction {
		desc := "NotAction " + fmt.Sprint(st.actions)
		for i := range hits {
			hits[i] = desc
		}
	}
	remaining := len(ecrActions)
	seen := map[string]bool{}
	for _, pattern := range st.actions {
		// Patterns differing only in case match the same actions; a document repeating one thousands
		// of times costs one pass.
		key := strings.ToLower(pattern)
		if seen[key] {
			continue
		}
		seen[key] = true
		for i, action := range ecrActions {
			if st.notAction {
				if hits[i] != "" && glob(pattern, action, true) {
					hits[i] = ""
				}
				continue
			}
			if hits[i] == "" && glob(pattern, action, true) {
				hits[i] = pattern
				remaining--
			}
		}
		if !st.notAction && remaining == 0 {
			break
		}
	}
	return hits
}
