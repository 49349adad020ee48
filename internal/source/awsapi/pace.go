package awsapi

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/time/rate"
)

// Pacing has two modes (docs/pacing.md).
//
// A fixed pace (the scan's --rate) starts every (account, region) pair at that rate and adapts it:
// cut when throttled, raised by a tenth after long runs of successes, never above twice the start.
//
// A found pace (Clients.FindPace, the scan's default) starts every pair at the same rate and lets
// the scan find out how much faster it may go. One pair at a time, the scout, doubles its pace once
// per round trip for as long as the pace is what holds it back. What the scout has really sent at
// for proveAfter successes is lent to every other pair. The first throttle anywhere ends the
// search for the whole scan: the pace falls back to the last proven one (at most half the pace
// throttled, at most what the throttled pair got through in the last second, never below the
// start), borrowed paces are given back down to it, and from there every pair adapts like a fixed
// pace. Only one pair probes because each pair that probes a limit pays for it with a throttle.
// Whatever the search does, no pair is slower than a fixed pace would have made it.
//
// The search never takes the scan above MaxRate requests per second in all: each pair active in
// the last second gets an equal share of it, and the start pace is every pair's floor. An
// organization scan of more than about a hundred pairs is above MaxRate at the start pace already,
// so it never probes: it is held back by its own size, not by the pace.

// MaxRate is the most a found pace lets a whole scan send, in EKS requests per second; a scan of one
// pair may use all of it. Against real EKS, where an answer takes tens of milliseconds, two
// describers cannot use that much; the ceiling matters against local servers (moto, the emulator),
// and keeps a scan of many pairs from probing limits it could not use.
const MaxRate = 1000

const (
	minRate = 0.5
	// cutEvery is how often the pace may be cut: several requests in flight are usually throttled
	// together, and one episode should cost one cut, not one per request.
	cutEvery = 250 * time.Millisecond
	// A throttle cuts the pace by a fifth; only a long run of successes raises it again, by a
	// tenth. Raising it on every success would keep probing past the service's limit and pay a
	// throttled call each time, which at fleet scale is most of the cost of a scan.
	cutFactor = 0.8
	// throttleWindow is how close two throttles must be to count as a pace above the limit.
	throttleWindow = 2 * time.Second
	raiseFactor    = 1.1
	raiseAfter     = 50
	// proveAfter is how many successes in a row prove the pace they were sent at: a service bucket
	// that still holds a burst lets a few requests through above its rate, and eight is more than
	// the burst of the benchmark's throttle (5) and than the pacer's own (4). A bigger burst can
	// still fool it; endSearch then bounds the pace by what the service really accepted.
	proveAfter = 8
	// scoutIdle is how long the scout may go without asking for a token, beyond two of its
	// intervals, before another pair takes over: the scout's pair has finished its work.
	scoutIdle = 250 * time.Millisecond
	// activeWindow is how recently a pair must have asked for a token to count for the scan's
	// budget; recount how often the pairs are counted again.
	activeWindow = time.Second
	recount      = 100 * time.Millisecond
	// acceptWindow is the window over which a pair's successes are counted when the search ends.
	acceptWindow = time.Second
	// deepCut is the cut for a second throttle soon after another while the pace is above twice
	// the start, where only the search can have taken it: a pace found on a service's burst can be
	// several times its rate, and a fifth at a time would pay a throttle per request for seconds.
	deepCut = 0.5
)

// Pacer is an adaptive client-side rate limiter for one (account, region) pair: every attempt,
// retries included, waits for a token; a throttled attempt cuts the rate, successes win it back. EKS
// publishes no rate quota, so the pace is learned rather than assumed.
type Pacer struct {
	mu    sync.Mutex
	now   func() time.Time
	lim   *rate.Limiter
	start float64
	max   float64
	// current is the pace, in requests per second.
	current float64
	lastCut time.Time
	// lastThrottle is when the service last throttled this pair.
	lastThrottle time.Time
	// streak counts successes since the pace last changed.
	streak int
	// throttles counts attempts the service throttled.
	throttles int

	// probe is the scan's search for a faster pace; nil for a fixed pace.
	probe *probe
	// settled is set once the pair has taken the end of the search into account.
	settled bool
	// own is the pace the fixed rules would have given the pair by now (the start, raised by a
	// tenth after each run of raiseAfter successes, up to twice the start): while the search goes
	// on it is the pair's floor, so that a found pace is never slower than a fixed one.
	own float64
	// asked is when the pair last asked for a token (Unix nanoseconds), read by the probe to count
	// active pairs without taking the pair's lock.
	asked atomic.Int64
	// sent counts the pair's tokens.
	sent int
	// lastRaise is when the scout last doubled this pair's pace: only a request sent after it says
	// anything about the new pace.
	lastRaise time.Time
	// proof holds when the scout's last successes were sent.
	proof []time.Time
	// oks[oksFrom:] holds when the pair's successes of the last acceptWindow came back, kept while
	// the search goes on: the service accepted that many, whatever the pace said.
	oks     []time.Time
	oksFrom int
}

// NewPacer starts a fixed pacer at start requests per second, never above max, with a burst of b.
func NewPacer(start, max float64, b int) *Pacer {
	if start > max {
		start = max
	}
	return newPacer(start, max, b, nil, time.Now)
}

// newPacer makes a pacer; with pr it takes part in the scan's search for a faster pace.
func newPacer(start, max float64, b int, pr *probe, now func() time.Time) *Pacer {
	p := &Pacer{now: now, lim: rate.NewLimiter(rate.Limit(start), b), start: start, max: max, current: start, own: start, probe: pr}
	if pr != nil {
		pr.mu.Lock()
		pr.pacers = append(pr.pacers, p)
		pr.mu.Unlock()
	}
	return p
}

// probe is the search for a faster pace shared by the pacers of one scan.
type probe struct {
	mu      sync.Mutex
	start   float64
	ceiling float64
	pacers  []*Pacer
	// share is the most each active pair may go to, never below start; counted is when it was
	// last worked out.
	share   float64
	counted time.Time
	// proven is the highest pace a scout has really sent at for proveAfter successes.
	proven float64
	scout  *Pacer
	// scoutSeen is when the scout last asked for a token; scoutGap how long it may then stay
	// silent.
	scoutSeen time.Time
	scoutGap  time.Duration
	// over is set by the first throttle; found is the pace the scan then settled on.
	over  bool
	found float64
}

// newProbe starts a search from start, never taking the scan as a whole above ceiling.
func newProbe(start, ceiling float64) *probe {
	return &probe{start: start, ceiling: ceiling, proven: start, share: ceiling}
}

// budget is the most an active pair may go to now; pr.mu is held.
func (pr *probe) budget(now time.Time) float64 {
	if now.Sub(pr.counted) >= recount || pr.counted.IsZero() {
		pr.counted = now
		since := now.Add(-activeWindow).UnixNano()
		active := 0
		for _, q := range pr.pacers {
			if q.asked.Load() >= since {
				active++
			}
		}
		pr.share = max(pr.start, pr.ceiling/float64(max(active, 1)))
	}
	return pr.share
}

// ticket is one attempt's claim on the pacer: when it went out, at what pace, and whether the pace
// held it back (it had to wait for its token).
type ticket struct {
	sent  time.Time
	pace  float64
	bound bool
	// seq numbers the pair's tokens from 1.
	seq int
}

// Wait blocks until the pair may send, or ctx ends.
func (p *Pacer) Wait(ctx context.Context) error {
	_, err := p.wait(ctx)
	return err
}

func (p *Pacer) wait(ctx context.Context) (ticket, error) {
	now := p.now()
	t, res := p.reserve(now)
	d := res.DelayFrom(now)
	if d <= 0 {
		return t, nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return t, nil
	case <-ctx.Done():
		res.CancelAt(p.now())
		return t, ctx.Err()
	}
}

// reserve takes the next token at now. A found pace first catches up with the scan's search.
func (p *Pacer) reserve(now time.Time) (ticket, *rate.Reservation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked.Store(now.UnixNano())
	if p.probe != nil && !p.settled {
		p.follow(now)
	}
	res := p.lim.ReserveN(now, 1)
	d := res.DelayFrom(now)
	p.sent++
	return ticket{sent: now.Add(d), pace: p.current, bound: d > 0, seq: p.sent}, res
}

// follow brings a found pace up to date with the search: after it ends the pair settles; while it
// goes on the pair borrows the proven pace, keeps within its share of the scan's budget, and takes
// the scout's place if the scout has gone quiet. p.mu is held.
func (p *Pacer) follow(now time.Time) {
	pr := p.probe
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.over {
		p.settle(now, pr.found)
		return
	}
	share := pr.budget(now)
	// The scout may be above what is proven, never above its share; every other pair is at the
	// proven pace, within its share. Neither goes below the pair's own pace.
	r := max(p.own, min(pr.proven, share))
	if pr.scout == p {
		r = min(max(p.current, r), max(p.own, share))
	}
	if r != p.current {
		p.setRate(now, r)
	}
	if pr.scout == nil || pr.scout == p || now.Sub(pr.scoutSeen) > pr.scoutGap {
		if pr.scout != p {
			pr.scout = p
			p.lastRaise, p.proof = now, nil
		}
		pr.scoutSeen = now
		pr.scoutGap = scoutIdle + time.Duration(2*float64(time.Second)/p.current)
	}
}

// settle applies the end of the search to this pair, once: a pace above what the scan found is
// given back, and from then on the pair adapts like a fixed pace started where it stands.
func (p *Pacer) settle(now time.Time, found float64) {
	p.settled = true
	p.proof, p.oks, p.oksFrom = nil, nil, 0
	if f := max(found, p.own); p.current > f {
		p.setRate(now, f)
	}
	p.max = max(2*p.current, 2*p.start)
	p.streak = 0
}

func (p *Pacer) setRate(now time.Time, r float64) {
	p.current = r
	p.lim.SetLimitAt(now, rate.Limit(r))
}

// throttled records a throttled attempt sent with t. While the scan searches for its pace, the
// first throttle ends the search (endSearch). Otherwise a lone throttle is taken as jitter
// (requests spaced evenly by the pacer can still reach the service bunched): the pair just gives up
// one send slot. A second throttle within throttleWindow means the pace is above what the service
// allows, and the pace is cut.
func (p *Pacer) throttled(now time.Time, t ticket) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.throttles++
	p.streak = 0
	if p.probe != nil && !p.settled {
		p.endSearch(now, t)
		if t.pace > p.start {
			// Thrown back by the search rather than cut: the throttle is accounted for, and
			// only a second one soon after cuts further.
			p.lastThrottle, p.lastCut = now, now
			p.lim.ReserveN(now, 1)
			return
		}
	}
	repeated := !p.lastThrottle.IsZero() && now.Sub(p.lastThrottle) < throttleWindow
	p.lastThrottle = now
	if !repeated {
		p.lim.ReserveN(now, 1)
		return
	}
	if now.Sub(p.lastCut) < cutEvery {
		return
	}
	p.lastCut = now
	cut := cutFactor
	if p.current > 2*p.start {
		cut = deepCut
	}
	p.setRate(now, max(p.current*cut, minRate))
}

// overloaded records an attempt the service refused as unavailable (503): no cut, since a lone 503
// says nothing about this pair's pace, but no reason to look for a faster one either.
func (p *Pacer) overloaded(now time.Time, t ticket) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.probe != nil && !p.settled {
		p.endSearch(now, t)
	}
}

// endSearch ends the scan's search, if this is its first throttle, and settles this pair; p.mu is
// held. The scan settles on the highest pace the scout proved, but at most half the pace that
// was throttled (the last doubling went too far) and at most what the service accepted from this
// pair in the last second (a proof can be fooled by a service's burst), and never below the
// start, which is the pace a fixed pacer would have used all along.
func (p *Pacer) endSearch(now time.Time, t ticket) {
	accepted := float64(p.accepted(now)) / acceptWindow.Seconds()
	pr := p.probe
	pr.mu.Lock()
	if !pr.over {
		pr.over = true
		pr.found = max(pr.start, min(pr.proven, t.pace/2, accepted))
		pr.scout = nil
	}
	found := pr.found
	pr.mu.Unlock()
	p.settle(now, found)
}

// succeeded records an attempt sent with t that was not throttled. While the search goes on, the
// scout learns from it, and every pair's own pace follows the fixed rules; otherwise the pace rises
// by a tenth after a long run of successes, up to the pair's ceiling.
func (p *Pacer) succeeded(now time.Time, t ticket) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.probe != nil && !p.settled {
		p.oks = append(p.oks, now)
		p.accepted(now)
		if p.scouting(now, t) {
			if p.streak++; p.streak >= raiseAfter && p.own < 2*p.start {
				p.streak = 0
				p.own = min(p.own*raiseFactor, 2*p.start)
				if p.current < p.own {
					p.setRate(now, p.own)
				}
			}
			return
		}
	}
	if p.current >= p.max {
		return
	}
	p.streak++
	if p.streak < raiseAfter {
		return
	}
	p.streak = 0
	p.setRate(now, min(p.current*raiseFactor, p.max))
}

// scouting handles a success while the search is on, and says whether it was handled; p.mu is held.
// The scout doubles its pace when a request sent at the current pace had to wait for it and
// succeeded: once per round trip, and only while the pace is what holds the pair back.
func (p *Pacer) scouting(now time.Time, t ticket) bool {
	pr := p.probe
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.over {
		return false
	}
	if pr.scout != p {
		// A pair at a borrowed or starting pace proves nothing new; it keeps up with the proven
		// pace when it next asks for a token.
		return true
	}
	share := pr.budget(now)
	p.prove(t, share)
	if t.bound && !t.sent.Before(p.lastRaise) && p.current < share {
		p.setRate(now, max(p.own, min(2*p.current, share)))
		p.lastRaise = now
		pr.scoutGap = scoutIdle + time.Duration(2*float64(time.Second)/p.current)
	}
	return true
}

// prove records a success of the scout and lends the pace it proves to every pair: the pace the
// scout really sent at over its last proveAfter successes, judged by the longest gap between two
// of them, never more than its own pace or its share. The pair's opening burst is left out, since
// it went out faster than any pace. p.mu and the probe's lock are held.
func (p *Pacer) prove(t ticket, share float64) {
	if t.seq <= p.lim.Burst() {
		return
	}
	p.proof = append(p.proof, t.sent)
	if len(p.proof) > proveAfter {
		p.proof = append(p.proof[:0], p.proof[1:]...)
	}
	if len(p.proof) < proveAfter {
		return
	}
	sent := slices.Clone(p.proof)
	slices.SortFunc(sent, time.Time.Compare)
	var gap time.Duration
	for i := 1; i < len(sent); i++ {
		gap = max(gap, sent[i].Sub(sent[i-1]))
	}
	q := min(p.current, share)
	if gap > 0 {
		q = min(q, float64(time.Second)/float64(gap))
	}
	p.probe.proven = max(p.probe.proven, q)
}

// accepted counts the pair's successes within acceptWindow of now, forgetting older ones; p.mu is
// held.
func (p *Pacer) accepted(now time.Time) int {
	for p.oksFrom < len(p.oks) && now.Sub(p.oks[p.oksFrom]) > acceptWindow {
		p.oksFrom++
	}
	if p.oksFrom > 64 && p.oksFrom > len(p.oks)/2 {
		p.oks = append(p.oks[:0], p.oks[p.oksFrom:]...)
		p.oksFrom = 0
	}
	return len(p.oks) - p.oksFrom
}

// Throttles is how many attempts were throttled so far.
func (p *Pacer) Throttles() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.throttles
}

// Rate is the current pace in requests per second.
func (p *Pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current
}

type pacerMiddleware struct {
	p     *Pacer
	slots chan struct{}
}

func (pacerMiddleware) ID() string { return "eksguard.Pacer" }

func (m pacerMiddleware) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	t, err := m.p.wait(ctx)
	if err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	select {
	case m.slots <- struct{}{}:
	case <-ctx.Done():
		return middleware.FinalizeOutput{}, middleware.Metadata{}, ctx.Err()
	}
	out, md, err := next.HandleFinalize(ctx, in)
	<-m.slots
	switch {
	case IsThrottle(err):
		m.p.throttled(m.p.now(), t)
	case isOverload(err):
		m.p.overloaded(m.p.now(), t)
	case err == nil:
		m.p.succeeded(m.p.now(), t)
	}
	return out, md, err
}

// add puts the pacer inside the retry loop so that every attempt is paced, and holds one of the
// shared in-flight slots while the attempt is on the wire.
func (m pacerMiddleware) add(s *middleware.Stack) error {
	return s.Finalize.Insert(m, "Retry", middleware.After)
}

// isOverload reports whether the service answered that it is unavailable (503), which a search
// for a faster pace takes as a limit reached.
func isOverload(err error) bool {
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusServiceUnavailable
}
