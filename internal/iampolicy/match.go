package iampolicy

import "strings"

// glob reports whether pattern matches s, where "*" matches any run of bytes and "?" any one byte.
// Action names are ASCII, so byte-wise matching is character-wise matching for them. With fold set, ASCII
// letters match regardless of case, as IAM compares action names.
//
// The greedy algorithm with a single backtrack point runs in O(len(pattern)*len(s)) at worst, with no
// exponential blow-up on patterns such as "*a*a*a*a*b" that a recursive matcher would suffer.
func glob(pattern, s string, fold bool) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || sameByte(pattern[p], s[i], fold)):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func sameByte(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	return fold && lower(a) == lower(b)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// allStars reports whether s is made only of "*" (the empty string included), so it matches anything.
func allStars(s string) bool { return strings.Trim(s, "*") == "" }

// partitions are the AWS partitions an ARN can name. The partition a role lives in is not known here;
// a Deny written for "arn:aws:ecr:..." is taken to be about the role's own partition, because a policy
// in one partition can only ever meet resources of that partition.
var partitions = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

// coversEverything reports whether a Resource entry matches every resource, including the "*" that
// IAM authorises actions without resource-level permissions against.
func coversEverything(resource string) bool { return resource != "" && allStars(resource) }

// coversRepositories reports whether a Resource entry matches the ARN of every ECR repository in every
// region and account: "arn:aws:ecr:*:*:repository/*", "arn:*:ecr:*:*:*", "arn:*" and the like.
//
// IAM matches wildcards within the colon-separated fields of an ARN, and a "*" that ends the last field
// written may run on over the colons into the fields that follow. So each field written must match
// every value the repository ARN can have there, and the pattern must reach the repository name or end
// in such a "*". A region or account named literally covers only that region or account; anything this
// does not recognise is reported as not covering, which errs towards reporting a grant.
func coversRepositories(resource string) bool {
	if coversEverything(resource) {
		return true
	}
	fields := strings.Split(resource, ":")
	if len(fields) > 6 {
		return false
	}
	for i, f := range fields {
		last := i == len(fields)-1
		if last && strings.HasSuffix(f, "*") {
			return fieldPrefixCovers(i, f[:len(f)-1])
		}
		if last && i < 5 {
			return false // the ARN stops short of the repository name
		}
		if !fieldCovers(i, f) {
			return false
		}
	}
	return false
}

// fieldCovers reports whether ARN field i, written as f (not the last field), matches every value a
// repository ARN has there.
func fieldCovers(i int, f string) bool {
	switch i {
	case 0:
		return glob(f, "arn", false)
	case 1:
		return allStars(f) || matchesAny(f, partitions)
	case 2:
		return glob(f, "ecr", false)
	case 3, 4: // region, account: any value at all
		return f != "" && allStars(f)
	default: // the resource field is always the last one, handled by the caller
		return false
	}
}

// fieldPrefixCovers reports whether ARN field i, written as f followed by a "*" that runs on to the end
// of the ARN, matches every repository ARN: f must match a beginning of every value field i can take.
func fieldPrefixCovers(i int, f string) bool {
	switch i {
	case 0:
		return matchesPrefix(f, "arn")
	case 1:
		if allStars(f) {
			return true
		}
		for _, p := range partitions {
			if matchesPrefix(f, p) {
				return true
			}
		}
		return false
	case 2:
		return matchesPrefix(f, "ecr")
	case 3, 4:
		return allStars(f)
	default:
		return matchesPrefix(f, "repository/")
	}
}

// matchesPrefix reports whether pattern matches some beginning of s (the empty one included).
func matchesPrefix(pattern, s string) bool {
	for k := 0; k <= len(s); k++ {
		if glob(pattern, s[:k], false) {
			return true
		}
	}
	return false
}

func matchesAny(pattern string, values []string) bool {
	for _, v := range values {
		if glob(pattern, v, false) {
			return true
		}
	}
	return false
}
