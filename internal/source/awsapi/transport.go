package awsapi

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// MaxResponseBody is the most eksguard reads of any one AWS response body: 32 MiB. The largest
// answers it asks for (a page of 100 cluster names, one DescribeCluster, a page of 20 accounts, the
// region list) are a few kilobytes, so only a broken or hostile endpoint comes near it; without a
// limit, an endpoint that streams a body that never ends would grow the process until it is killed.
const MaxResponseBody = 32 << 20

// guardedHTTP wraps the transport every client uses. It refuses redirects, which AWS API endpoints
// never send (the SDK's own client would follow a 307 or 308 to any host, and report any other as
// "UnknownError: UnknownError"), and caps every response body at MaxResponseBody.
type guardedHTTP struct{ next aws.HTTPClient }

// refuseRedirect makes an http.Client hand a redirect back as the answer, for guardedHTTP to refuse.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// noFollow returns a copy of an *http.Client that does not follow redirects; any other client is
// returned as it is.
func noFollow(c aws.HTTPClient) aws.HTTPClient {
	hc, ok := c.(*http.Client)
	if !ok {
		return c
	}
	cp := *hc
	cp.CheckRedirect = refuseRedirect
	return &cp
}

func guard(c aws.HTTPClient) aws.HTTPClient {
	if _, ok := c.(guardedHTTP); ok {
		return c
	}
	return guardedHTTP{next: c}
}

func (g guardedHTTP) Do(req *http.Request) (*http.Response, error) {
	resp, err := g.next.Do(req)
	if err != nil || resp == nil {
		return resp, err
	}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		_ = resp.Body.Close()
		return nil, &RedirectError{Status: resp.StatusCode, Location: resp.Header.Get("Location")}
	case resp.ContentLength > MaxResponseBody:
		_ = resp.Body.Close()
		return nil, &BodyTooLargeError{Limit: MaxResponseBody, Declared: resp.ContentLength}
	}
	resp.Body = &cappedBody{rc: resp.Body, left: MaxResponseBody}
	return resp, nil
}

// cappedBody reads at most MaxResponseBody bytes and then fails. It reports a failure once, and
// then reads as ended: the SDK drains every body before closing it and logs a warning on standard
// error when the drain fails, which would only repeat what the failed call already says.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
	// over is set once the body went past the limit; failed once any read failed.
	over, failed bool
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.failed {
		return 0, io.EOF
	}
	// One byte more than is left tells a body of exactly the limit from a longer one.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) > b.left {
		n = int(b.left)
		b.left = 0
		b.over, b.failed = true, true
		return n, &BodyTooLargeError{Limit: MaxResponseBody}
	}
	b.left -= int64(n)
	if err != nil && err != io.EOF {
		b.failed = true
	}
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// BodyTooLargeError is a response body longer than MaxResponseBody. It is not retried: an
// endpoint that sent one will send another.
type BodyTooLargeError struct {
	Limit int64
	// Declared is the Content-Length the endpoint announced, when that alone was too much.
	Declared int64
}

func (e *BodyTooLargeError) Error() string {
	what := "the response body goes on past"
	if e.Declared > 0 {
		what = fmt.Sprintf("the response announces a body of %d bytes, more than", e.Declared)
	}
	return fmt.Sprintf("%s eksguard's limit of %s, far beyond any real AWS answer; stopped reading (check --endpoint-url or a proxy)", what, mib(e.Limit))
}

// RetryableError tells the SDK's retryer not to try again.
func (e *BodyTooLargeError) RetryableError() bool { return false }

func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// RedirectError is a 3xx answer. AWS API endpoints never redirect; a redirect comes from a wrong
// --endpoint-url or something in between (a proxy, a captive portal), and following it would send
// signed requests somewhere else.
type RedirectError struct {
	Status   int
	Location string
}

func (e *RedirectError) Error() string {
	to := "without a Location"
	if e.Location != "" {
		to = "to " + printable(e.Location)
	}
	return fmt.Sprintf("unexpected HTTP %d redirect %s: eksguard does not follow redirects from AWS endpoints; check --endpoint-url or a proxy", e.Status, to)
}

// RetryableError tells the SDK's retryer not to try again: the answer would be the same.
func (e *RedirectError) RetryableError() bool { return false }

// printable keeps text from an endpoint fit for one line of a report: quoted when it holds anything
// but printable characters, and cut short when it is long.
func printable(s string) string {
	const most = 200
	if len(s) > most {
		s = s[:most] + "..."
	}
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || r == unicode.ReplacementChar }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}
