package awsapi

import (
	"errors"
	"math"
	"net/http"
	"testing"
	"time"

	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// paceClock is a fake clock: the pacers under test only move when a test moves it.
type paceClock struct{ t time.Time }

func newPaceClock() *paceClock { return &paceClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *paceClock) now() time.Time { return c.t }

func (c *paceClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// take asks p for a token and waits for it on the fake clock, as the middleware would.
func (c *paceClock) take(p *Pacer) ticket {
	t, _ := p.reserve(c.t)
	if t.sent.After(c.t) {
		c.t = t.sent
	}
	return t
}

// ask asks p for a token without waiting for it: the pair counts as active and catches up with
// the search, and the clock stays where it is.
func (c *paceClock) ask(p *Pacer) { p.reserve(c.t) }

// call is one request, sent alone, answered after rtt with a success.
func (c *paceClock) call(p *Pacer, rtt time.Duration) ticket {
	t := c.take(p)
	c.advance(rtt)
	p.succeeded(c.t, t)
	return t
}

// foundPacers makes n pacers that share one search, as the pairs of one scan with Rate unset.
func foundPacers(c *paceClock, n int) (*probe, []*Pacer) {
	pr := newProbe(DefaultRate, MaxRate)
	ps := make([]*Pacer, n)
	for i := range ps {
		ps[i] = newPacer(DefaultRate, MaxRate, DefaultBurst, pr, c.now)
	}
	return pr, ps
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*max(1, math.Abs(b)) }

func TestFixedPace(t *testing.T) {
	c := newPaceClock()
	p := newPacer(5, 10, 2, nil, c.now)
	for range 40 {
		c.call(p, time.Millisecond)
	}
	if p.Rate() != 5 {
		t.Fatalf("a fixed pace moved before a long run of successes: %.2f", p.Rate())
	}
	for range 1000 {
		c.call(p, time.Millisecond)
	}
	if p.Rate() != 10 {
		t.Fatalf("a fixed pace rose to %.2f after long runs of successes, want its ceiling 10", p.Rate())
	}
	// A lone throttle is jitter; a second within the window cuts by a fifth, once per cutEvery.
	tk := c.take(p)
	p.throttled(c.t, tk)
	if p.Rate() != 10 {
		t.Fatalf("a lone throttle cut the pace to %.2f", p.Rate())
	}
	c.advance(time.Second)
	p.throttled(c.t, tk)
	p.throttled(c.t, tk)
	if !near(p.Rate(), 8) {
		t.Fatalf("a repeated throttle left the pace at %.2f, want 8", p.Rate())
	}
	if p.Throttles() != 3 {
		t.Errorf("counted %d throttles, want 3", p.Throttles())
	}
}

func TestSearchDoublesOncePerRoundTripWhileHeldBack(t *testing.T) {
	c := newPaceClock()
	_, ps := foundPacers(c, 1)
	p := ps[0]
	// The opening burst goes out at once: nothing waited, nothing learned.
	for range DefaultBurst {
		if tk := c.call(p, time.Millisecond); tk.bound {
			t.Fatalf("request %d of the opening burst counted as held back", tk.seq)
		}
	}
	if p.Rate() != DefaultRate {
		t.Fatalf("the pace moved during the opening burst: %.2f", p.Rate())
	}
	// From then on every request waits for its token, and each success doubles the pace.
	want := DefaultRate
	for i := 0; want < MaxRate; i++ {
		tk := c.call(p, time.Millisecond)
		if !tk.bound {
			t.Fatalf("request %d at %.1f/s did not wait; the test's client should be pace-bound", tk.seq, tk.pace)
		}
		want = min(2*want, MaxRate)
		if !near(p.Rate(), want) {
			t.Fatalf("after %d held-back successes the pace is %.2f, want %.2f", i+1, p.Rate(), want)
		}
	}
	c.call(p, time.Millisecond)
	if p.Rate() != MaxRate {
		t.Errorf("the pace went past the ceiling: %.2f", p.Rate())
	}
}

func TestSearchLearnsOnlyFromRequestsSentAtTheNewPace(t *testing.T) {
	c := newPaceClock()
	_, ps := foundPacers(c, 1)
	p := ps[0]
	for range DefaultBurst {
		c.call(p, time.Millisecond)
	}
	// Two requests in flight, both held back; the first success doubles the pace, the second was
	// sent before that and must not double it again.
	a := c.take(p)
	b := c.take(p)
	c.advance(time.Millisecond)
	p.succeeded(c.t, a)
	p.succeeded(c.t, b)
	if !near(p.Rate(), 2*DefaultRate) {
		t.Fatalf("two successes of one round trip left the pace at %.2f, want one doubling to %.2f", p.Rate(), 2*DefaultRate)
	}
	// A request that did not wait (the pair is slower than its pace) teaches nothing.
	c.advance(10 * time.Second)
	if tk := c.call(p, time.Millisecond); tk.bound || !near(p.Rate(), 2*DefaultRate) {
		t.Fatalf("a request with tokens to spare (bound %v) changed the pace to %.2f", tk.bound, p.Rate())
	}
}

func TestOneScoutLendsWhatItProves(t *testing.T) {
	c := newPaceClock()
	pr, ps := foundPacers(c, 2)
	scout, other := ps[0], ps[1]
	c.ask(scout) // the first to ask scouts
	for range 14 {
		c.call(scout, time.Millisecond)
		// The other pair's requests succeed too, held back like the scout's, and teach it
		// nothing of its own: it only ever borrows the proven pace.
		tk, _ := other.reserve(c.t)
		other.succeeded(c.t, tk)
		if other.Rate() != pr.proven {
			t.Fatalf("the other pair is at %.2f, want the proven %.2f", other.Rate(), pr.proven)
		}
	}
	if scout.Rate() <= 2*DefaultRate {
		t.Fatalf("the scout did not speed up: %.2f", scout.Rate())
	}
	if pr.proven <= DefaultRate || pr.proven > scout.Rate() {
		t.Errorf("proven pace %.2f, want above the start and at most the scout's %.2f", pr.proven, scout.Rate())
	}
}

func TestProofLeavesOutTheOpeningBurstAndNeedsEightSuccesses(t *testing.T) {
	c := newPaceClock()
	pr, ps := foundPacers(c, 1)
	p := ps[0]
	var sent []time.Time
	for range DefaultBurst + proveAfter - 1 {
		if tk := c.call(p, time.Millisecond); tk.seq > DefaultBurst {
			sent = append(sent, tk.sent)
		}
	}
	if pr.proven != DefaultRate {
		t.Fatalf("%d successes past the burst proved %.2f", proveAfter-1, pr.proven)
	}
	paceBefore := p.Rate()
	sent = append(sent, c.call(p, time.Millisecond).sent)
	// The slowest gap between the eight sends bounds what was really sent; the burst's sends,
	// all at once, are not among them.
	var gap time.Duration
	for i := 1; i < len(sent); i++ {
		gap = max(gap, sent[i].Sub(sent[i-1]))
	}
	want := min(paceBefore, float64(time.Second)/float64(gap))
	if !near(pr.proven, want) || pr.proven <= DefaultRate {
		t.Errorf("proven %.2f, want %.2f (slowest gap %s)", pr.proven, want, gap)
	}
}

func TestFirstThrottleEndsTheSearchForEveryPair(t *testing.T) {
	c := newPaceClock()
	pr, ps := foundPacers(c, 2)
	scout, other := ps[0], ps[1]
	c.ask(scout)
	for range 14 {
		c.call(scout, time.Millisecond)
		c.ask(other)
	}
	borrowed := other.Rate()
	if borrowed <= DefaultRate {
		t.Fatalf("the other pair borrowed nothing (%.2f); the test needs a proven pace", borrowed)
	}
	reached := scout.Rate()
	accepted := float64(scout.accepted(c.t))
	tk := c.take(scout)
	c.advance(time.Millisecond)
	scout.throttled(c.t, tk)
	if !pr.over {
		t.Fatal("a throttle did not end the search")
	}
	want := max(DefaultRate, min(pr.proven, reached/2, accepted))
	if !near(pr.found, want) || scout.Rate() != pr.found {
		t.Fatalf("found %.2f, scout at %.2f; want both %.2f (proven %.2f, half of %.2f, %v accepted)", pr.found, scout.Rate(), want, pr.proven, reached, accepted)
	}
	c.ask(other)
	if other.Rate() > pr.found {
		t.Errorf("the other pair kept a borrowed %.2f above the found %.2f", other.Rate(), pr.found)
	}
	// From now on no pair doubles: a fixed pace's rules, a tenth after fifty successes.
	before := scout.Rate()
	for range raiseAfter - 1 {
		c.call(scout, time.Millisecond)
	}
	if scout.Rate() != before {
		t.Fatalf("the pace moved from %.2f to %.2f before fifty successes after the search", before, scout.Rate())
	}
	c.call(scout, time.Millisecond)
	if !near(scout.Rate(), before*raiseFactor) {
		t.Errorf("after fifty successes the pace is %.2f, want %.2f", scout.Rate(), before*raiseFactor)
	}
}

func TestThrottleAtTheStartKeepsTheStart(t *testing.T) {
	c := newPaceClock()
	pr, ps := foundPacers(c, 1)
	p := ps[0]
	tk := c.take(p)
	c.advance(time.Millisecond)
	p.throttled(c.t, tk)
	if !pr.over || pr.found != DefaultRate || p.Rate() != DefaultRate {
		t.Fatalf("over %v, found %.2f, pace %.2f; want the search over at the start pace", pr.over, pr.found, p.Rate())
	}
	// Settled pairs follow the fixed rules: a second throttle soon after cuts by a fifth.
	c.advance(500 * time.Millisecond)
	p.throttled(c.t, c.take(p))
	if !near(p.Rate(), DefaultRate*cutFactor) {
		t.Errorf("a second throttle left the pace at %.2f, want %.2f", p.Rate(), DefaultRate*cutFactor)
	}
}

func TestRepeatedThrottleHalvesAPaceOnlyTheSearchCouldReach(t *testing.T) {
	c := newPaceClock()
	p := newPacer(80, 160, DefaultBurst, nil, c.now)
	p.start = DefaultRate // as if the search had left it at 80
	tk := c.take(p)
	p.throttled(c.t, tk)
	c.advance(300 * time.Millisecond)
	p.throttled(c.t, tk)
	if !near(p.Rate(), 40) {
		t.Fatalf("a repeated throttle at 80/s left %.2f, want 40", p.Rate())
	}
	for _, want := range []float64{20, 10, 10 * cutFactor} {
		c.advance(300 * time.Millisecond)
		p.throttled(c.t, tk)
		if !near(p.Rate(), want) {
			t.Fatalf("pace %.2f after another throttle, want %.2f (halved above %.1f, a fifth below)", p.Rate(), want, 2*DefaultRate)
		}
	}
}

func TestOverloadEndsTheSearchWithoutACut(t *testing.T) {
	c := newPaceClock()
	pr, ps := foundPacers(c, 1)
	p := ps[0]
	for range 10 {
		c.call(p, time.Millisecond)
	}
	reached := p.Rate()
	tk := c.take(p)
	p.overloaded(c.t, tk)
	if !pr.over || p.Throttles() != 0 {
		t.Fatalf("over %v, %d throttles; want the search over and no throttle counted", pr.over, p.Throttles())
	}
	if p.Rate() > reached/2 || p.Rate() < DefaultRate {
		t.Errorf("pace %.2f after a 503 at %.2f, want between the start and half", p.Rate(), reached)
	}
	if !isOverload(&smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 503}}, Err: errors.New("x")}) {
		t.Error("a 503 is not taken as overload")
	}
	if isOverload(&smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 500}}, Err: errors.New("x")}) {
		t.Error("a 500 is taken as overload")
	}
}

func TestScoutHandsOverWhenItGoesQuiet(t *testing.T) {
	c := newPaceClock()
	pr, ps := foundPacers(c, 2)
	first, second := ps[0], ps[1]
	c.ask(first)
	c.ask(second)
	if pr.scout != first {
		t.Fatal("the first pair to ask is not the scout")
	}
	c.advance(scoutIdle / 2)
	c.ask(second)
	if pr.scout != first {
		t.Fatal("the scout was replaced while still at work")
	}
	c.advance(time.Second) // the first pair has finished
	c.ask(second)
	if pr.scout != second {
		t.Fatal("a quiet scout kept its place")
	}
}

func TestBudgetIsSharedByActivePairs(t *testing.T) {
	cases := []struct {
		name  string
		pairs int
		want  float64 // highest pace the scout may reach
	}{
		{"one pair", 1, MaxRate},
		{"ten pairs", 10, MaxRate / 10},
		{"an organization", 340, DefaultRate},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newPaceClock()
			_, ps := foundPacers(c, tc.pairs)
			for _, p := range ps {
				c.ask(p)
			}
			for range 40 {
				c.call(ps[0], time.Millisecond)
				for _, p := range ps[1:] {
					c.ask(p)
				}
			}
			if !near(ps[0].Rate(), tc.want) {
				t.Errorf("scout at %.2f with %d pairs active, want %.2f", ps[0].Rate(), tc.pairs, tc.want)
			}
			for _, p := range ps[1:] {
				if p.Rate() > tc.want {
					t.Fatalf("a pair at %.2f, above the share %.2f", p.Rate(), tc.want)
				}
			}
		})
	}
	// Pairs that have finished leave their share to those still at work.
	c := newPaceClock()
	_, ps := foundPacers(c, 10)
	for _, p := range ps {
		c.ask(p)
	}
	c.advance(2 * activeWindow)
	for range 40 {
		c.call(ps[0], time.Millisecond)
	}
	if ps[0].Rate() != MaxRate {
		t.Errorf("alone after the others finished, the scout stopped at %.2f", ps[0].Rate())
	}
}

func TestPairsAreIndependentOnceSettled(t *testing.T) {
	c := newPaceClock()
	pr, ps := foundPacers(c, 3)
	for _, p := range ps {
		c.take(p)
	}
	ps[0].throttled(c.t, c.take(ps[0]))
	for _, p := range ps {
		c.take(p)
	}
	if !pr.over {
		t.Fatal("the search is not over")
	}
	for range 4 {
		c.advance(300 * time.Millisecond)
		ps[1].throttled(c.t, c.take(ps[1]))
	}
	if ps[1].Rate() >= DefaultRate {
		t.Fatalf("repeated throttles did not cut pair 1: %.2f", ps[1].Rate())
	}
	if ps[0].Rate() != DefaultRate || ps[2].Rate() != DefaultRate {
		t.Errorf("pair 1's throttles moved the others: %.2f, %.2f", ps[0].Rate(), ps[2].Rate())
	}
}

func TestClientsChooseThePace(t *testing.T) {
	found := &Clients{FindPace: true}
	a, b := found.Pacer("111111111111", "us-east-1"), found.Pacer("111111111111", "eu-west-1")
	if a == b || a.probe == nil || a.probe != b.probe {
		t.Fatal("with FindPace, each pair has its own pacer and all share one search")
	}
	if a.Rate() != DefaultRate || a.max != MaxRate {
		t.Errorf("found pace starts at %.2f under %.2f, want %.2f under %d", a.Rate(), a.max, DefaultRate, MaxRate)
	}
	if found.Pacer("111111111111", "us-east-1") != a {
		t.Error("asking twice for a pair's pacer made a new one")
	}
	for _, tc := range []struct {
		rate, start float64
	}{{3, 3}, {0, DefaultRate}} {
		fixed := &Clients{Rate: tc.rate}
		f := fixed.Pacer("111111111111", "us-east-1")
		if f.probe != nil || f.Rate() != tc.start || f.max != 2*tc.start {
			t.Errorf("Rate %v without FindPace: search %v, pace %.2f under %.2f; want none, %v under %v", tc.rate, f.probe != nil, f.Rate(), f.max, tc.start, 2*tc.start)
		}
	}
}

// TestSearchFallsBackToWhatTheServiceAccepted: a proof can be fooled by a service's burst, so the
// pace found is never above what the throttled pair really got through in the last second.
func TestSearchFallsBackToWhatTheServiceAccepted(t *testing.T) {
	c := newPaceClock()
	pr, ps := foundPacers(c, 1)
	p := ps[0]
	for range 30 {
		c.call(p, time.Millisecond)
	}
	if pr.proven < 4*DefaultRate {
		t.Fatalf("proven only %.2f; the test needs a pace well above the start", pr.proven)
	}
	// Three successes in the last second, then a throttle at the high pace.
	c.advance(2 * acceptWindow)
	for range 3 {
		c.call(p, time.Millisecond)
	}
	tk := c.take(p)
	p.throttled(c.t, tk)
	if want := max(DefaultRate, 3/acceptWindow.Seconds()); pr.found != want {
		t.Errorf("found %.2f after a throttle at %.2f with 3 successes in the last second (proven %.2f), want %.2f", pr.found, tk.pace, pr.proven, want)
	}
}

// TestFoundPaceIsNeverSlowerThanFixed: in a scan too big to probe, each pair still rises like a
// fixed pace after runs of successes, and keeps that when the search ends.
func TestFoundPaceIsNeverSlowerThanFixed(t *testing.T) {
	c := newPaceClock()
	pr, ps := foundPacers(c, 200)
	fixed := newPacer(DefaultRate, 2*DefaultRate, DefaultBurst, nil, c.now)
	for _, p := range ps {
		c.ask(p)
	}
	p := ps[1] // not the scout
	for i := range 400 {
		c.call(p, time.Millisecond)
		c.call(fixed, time.Millisecond)
		for _, q := range ps {
			if q != p {
				c.ask(q)
			}
		}
		if p.Rate() < fixed.Rate() {
			t.Fatalf("after %d successes the found pace is %.2f, the fixed one %.2f", i+1, p.Rate(), fixed.Rate())
		}
	}
	if !near(p.Rate(), 2*DefaultRate) || pr.share != DefaultRate {
		t.Fatalf("pace %.2f with share %.2f, want twice the start with no room to probe", p.Rate(), pr.share)
	}
	ps[0].throttled(c.t, c.take(ps[0]))
	c.ask(p)
	if !pr.over || !near(p.Rate(), 2*DefaultRate) {
		t.Errorf("after the search ended (over %v, found %.2f) the pair fell to %.2f", pr.over, pr.found, p.Rate())
	}
}
