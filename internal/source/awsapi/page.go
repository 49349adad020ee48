package awsapi

import (
	"crypto/sha256"
	"fmt"
)

// maxPages caps every listing eksguard pages through. 10,000 pages is a million clusters in one
// region at ListClusters' 100 a page, a million updates of one cluster, or 200,000 accounts at
// ListAccounts' 20 a page (empty pages included): far beyond any real account or organization, so
// reaching it means the endpoint keeps inventing tokens. At the default EKS pace of 9.5 requests a
// second it costs about 18 minutes before the region is reported as an ERROR; a token handed out
// twice, the usual way a listing loops, is caught at once. A variable so that tests can lower it.
var maxPages = 10000

// pages follows the next tokens of one listing and stops it, with an error, when they loop or never
// end. The SDK's paginators page for ever on a cycle of tokens or a fresh token on every page, and
// at best (StopOnDuplicateToken) end quietly on a token repeated from the previous page, which
// would drop whatever the listing had left without a word.
type pages struct {
	op string
	n  int
	// seen holds digests, not tokens: an endpoint chooses how long its tokens are, and ten
	// thousand of them need not fit in memory.
	seen  map[[sha256.Size]byte]bool
	token *string
}

func newPages(op string) *pages { return &pages{op: op, seen: map[[sha256.Size]byte]bool{}} }

// next records the token a page ended with. It reports whether there is another page to read, and
// an error when the token was handed out before or there have been too many pages.
func (p *pages) next(token *string) (bool, error) {
	p.n++
	if token == nil || *token == "" {
		return false, nil
	}
	sum := sha256.Sum256([]byte(*token))
	if p.seen[sum] {
		return false, &PaginationError{Operation: p.op, Pages: p.n, Token: *token}
	}
	if p.n >= maxPages {
		return false, &PaginationError{Operation: p.op, Pages: p.n, Endless: true}
	}
	p.seen[sum] = true
	t := *token
	p.token = &t
	return true, nil
}

// PaginationError is a listing whose next tokens loop or never end.
type PaginationError struct {
	Operation string
	Pages     int
	// Token is the token handed out a second time; Endless is set instead when the listing ran
	// past maxPages.
	Token   string
	Endless bool
}

func (e *PaginationError) Error() string {
	if e.Endless {
		return fmt.Sprintf("%s handed out a new next token on each of %d pages, far more than any real account has; stopped, as the listing does not end", e.Operation, e.Pages)
	}
	token := e.Token
	if len(token) > 100 {
		token = token[:100] + "..."
	}
	return fmt.Sprintf("%s handed out next token %q again after %d pages; stopped, as the listing loops", e.Operation, token, e.Pages)
}
