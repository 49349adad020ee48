package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// eksOperation names the EKS operation from the restJson1 route (TD-1).
// Routes the emulator does not serve still get their real names, so that
// Calls can prove a mutating API was (or was not) attempted.
func eksOperation(method, path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) == 0 || segs[0] != "clusters" {
		return "Unknown"
	}
	switch {
	case len(segs) == 1 && method == http.MethodGet:
		return "ListClusters"
	case len(segs) == 1 && method == http.MethodPost:
		return "CreateCluster"
	case len(segs) == 2 && method == http.MethodGet:
		return "DescribeCluster"
	case len(segs) == 2 && method == http.MethodDelete:
		return "DeleteCluster"
	case len(segs) == 3 && segs[2] == "update-config" && method == http.MethodPost:
		return "UpdateClusterConfig"
	case len(segs) == 3 && segs[2] == "updates" && method == http.MethodGet:
		return "ListUpdates"
	case len(segs) == 3 && segs[2] == "updates" && method == http.MethodPost:
		return "UpdateClusterVersion"
	case len(segs) == 4 && segs[2] == "updates" && method == http.MethodGet:
		return "DescribeUpdate"
	case len(segs) == 5 && segs[2] == "updates" && (segs[4] == "cancel-update" || segs[4] == "cancel") && method == http.MethodPost:
		// The Go SDK (v1.105) posts to .../cancel-update; accept the short
		// form too.
		return "CancelUpdate"
	case len(segs) >= 3:
		return eksPartOperation(method, segs[2:])
	}
	return "Unknown"
}

// eksPartOperation names the node group, add-on and access entry routes
// below /clusters/NAME.
func eksPartOperation(method string, segs []string) string {
	type route struct {
		part   string
		n      int    // segments after the part name
		last   string // the trailing segment, if any
		method string
		op     string
	}
	routes := []route{
		{"node-groups", 0, "", http.MethodGet, "ListNodegroups"},
		{"node-groups", 0, "", http.MethodPost, "CreateNodegroup"},
		{"node-groups", 1, "", http.MethodGet, "DescribeNodegroup"},
		{"node-groups", 1, "", http.MethodDelete, "DeleteNodegroup"},
		{"node-groups", 2, "update-config", http.MethodPost, "UpdateNodegroupConfig"},
		{"node-groups", 2, "update-version", http.MethodPost, "UpdateNodegroupVersion"},
		{"addons", 0, "", http.MethodGet, "ListAddons"},
		{"addons", 0, "", http.MethodPost, "CreateAddon"},
		{"addons", 1, "", http.MethodGet, "DescribeAddon"},
		{"addons", 1, "", http.MethodDelete, "DeleteAddon"},
		{"addons", 2, "update", http.MethodPost, "UpdateAddon"},
		{"access-entries", 0, "", http.MethodGet, "ListAccessEntries"},
		{"access-entries", 0, "", http.MethodPost, "CreateAccessEntry"},
		{"access-entries", 1, "", http.MethodGet, "DescribeAccessEntry"},
		{"access-entries", 1, "", http.MethodDelete, "DeleteAccessEntry"},
		{"access-entries", 1, "", http.MethodPost, "UpdateAccessEntry"},
	}
	for _, r := range routes {
		if segs[0] == r.part && len(segs) == 1+r.n && method == r.method && (r.last == "" || segs[len(segs)-1] == r.last) {
			return r.op
		}
	}
	return "Unknown"
}

func isEKSRead(op string) bool {
	return strings.HasPrefix(op, "List") || strings.HasPrefix(op, "Describe")
}

type eksErrorBody struct {
	Message       string `json:"message"`
	ClusterName   string `json:"clusterName,omitempty"`
	NodegroupName string `json:"nodegroupName,omitempty"`
	AddonName     string `json:"addonName,omitempty"`
}

// eksError writes a restJson1 error: code in X-Amzn-ErrorType, message and
// clusterName in the body (TD-2).
func (s *Server) eksError(w http.ResponseWriter, c *call, status int, code, msg, clusterName string) {
	s.eksErrorBody(w, c, status, code, eksErrorBody{Message: msg, ClusterName: clusterName})
}

func (s *Server) eksErrorBody(w http.ResponseWriter, c *call, status int, code string, e eksErrorBody) {
	body, _ := json.Marshal(e)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-ErrorType", code)
	h.Set("x-amzn-RequestId", c.reqID)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) eksJSON(w http.ResponseWriter, c *call, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("x-amzn-RequestId", c.reqID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// apiError is an EKS error on its way to the wire. nodegroup and addon name
// the missing member of a ResourceNotFoundException, as EKS does.
type apiError struct {
	status    int
	code      string
	message   string
	nodegroup string
	addon     string
}

func invalidParameter(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "InvalidParameterException", message: fmt.Sprintf(format, args...)}
}

func invalidRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "InvalidRequestException", message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, code: "ResourceNotFoundException", message: fmt.Sprintf(format, args...)}
}

func (s *Server) serveEKS(w *recorder, r *http.Request, c *call) {
	acct := s.callerAccount(c.akid)
	reg := acct.region(c.region)
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	name := ""
	if len(segs) >= 2 {
		name, _ = url.PathUnescape(segs[1])
	}
	if !reg.enabled {
		// What EKS answers in a region the account has not opted in to.
		s.eksError(w, c, http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid.", "")
		return
	}
	if reg.accessDenied {
		resource := fmt.Sprintf("arn:aws:eks:%s:%s:cluster/*", reg.name, acct.id)
		if name != "" {
			resource = fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", reg.name, acct.id, name)
		}
		principal, _ := s.principal(c.akid)
		s.eksError(w, c, http.StatusForbidden, "AccessDeniedException",
			fmt.Sprintf("User: %s is not authorized to perform: eks:%s on resource: %s", principal, c.op, resource), "")
		return
	}
	if denied(acct, reg, c) {
		resource := fmt.Sprintf("arn:aws:eks:%s:%s:cluster/*", reg.name, acct.id)
		if name != "" {
			resource = fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", reg.name, acct.id, name)
		}
		principal, _ := s.principal(c.akid)
		s.eksError(w, c, http.StatusForbidden, "AccessDeniedException", denyMessage(principal, c.action(), resource), "")
		return
	}
	sub := ""
	if len(segs) >= 4 {
		sub, _ = url.PathUnescape(segs[3])
	}
	var err *apiError
	switch c.op {
	case "ListClusters":
		err = s.listClusters(w, r, c, reg)
	case "DescribeCluster":
		err = s.describeCluster(w, c, reg, name)
	case "UpdateClusterConfig":
		err = s.updateClusterConfig(w, c, reg, name)
	case "ListUpdates":
		err = s.listUpdates(w, r, c, reg, name)
	case "DescribeUpdate":
		updateID := ""
		if len(segs) >= 4 {
			updateID, _ = url.PathUnescape(segs[3])
		}
		err = s.describeUpdate(w, r, c, reg, name, updateID)
	case "CancelUpdate":
		updateID := ""
		if len(segs) >= 4 {
			updateID, _ = url.PathUnescape(segs[3])
		}
		err = s.cancelUpdate(w, c, reg, name, updateID)
	case "ListNodegroups":
		err = s.listNodegroups(w, r, c, reg, name)
	case "DescribeNodegroup":
		err = s.describeNodegroup(w, c, reg, name, sub)
	case "ListAddons":
		err = s.listAddons(w, r, c, reg, name)
	case "DescribeAddon":
		err = s.describeAddon(w, c, reg, name, sub)
	case "ListAccessEntries":
		err = s.listAccessEntries(w, r, c, reg, name)
	case "DescribeAccessEntry":
		err = s.describeAccessEntry(w, c, reg, name, sub)
	default:
		err = &apiError{status: http.StatusBadRequest, code: "InvalidRequestException", message: fmt.Sprintf("eksguard emulator does not implement eks:%s (%s %s)", c.op, r.Method, r.URL.Path)}
	}
	if err != nil {
		s.eksErrorBody(w, c, err.status, err.code, eksErrorBody{Message: err.message, ClusterName: name, NodegroupName: err.nodegroup, AddonName: err.addon})
	}
}

// parseMaxResults checks maxResults against the model's range (TD-25).
func parseMaxResults(q url.Values, max int) (int, *apiError) {
	raw := q.Get("maxResults")
	if raw == "" {
		return max, nil
	}
	n, err := strconv.Atoi(raw)
	switch {
	case err != nil:
		return 0, invalidParameter("1 validation error detected: Value '%s' at 'maxResults' failed to satisfy constraint: Member must be an integer", raw)
	case n < 1:
		return 0, invalidParameter("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1", n)
	case n > max:
		return 0, invalidParameter("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", n, max)
	}
	return n, nil
}

// pageToken makes an opaque, tamper-evident next token bound to what is
// being listed, so a token from one listing cannot page another.
func pageToken(scope string, offset int) string {
	payload := scope + "\x00" + strconv.Itoa(offset)
	sum := sha256.Sum256([]byte("eksguard-emulator\x00" + payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload + "\x00" + hex.EncodeToString(sum[:6])))
}

func parsePageToken(tok, scope string, limit int) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) < 3 {
		return 0, false
	}
	offset, err := strconv.Atoi(parts[len(parts)-2])
	if err != nil || offset < 0 || offset > limit || pageToken(scope, offset) != tok {
		return 0, false
	}
	return offset, true
}

func (s *Server) listClusters(w http.ResponseWriter, r *http.Request, c *call, reg *region) *apiError {
	q := r.URL.Query()
	max, err := parseMaxResults(q, 100)
	if err != nil {
		return err
	}
	all := false
	for _, v := range q["include"] {
		if v != "all" {
			return invalidParameter("The include parameter only accepts 'all' (lowercase), not '%s'.", v)
		}
		all = true
	}
	names := make([]string, 0, len(reg.clusterOrder))
	for _, cl := range reg.clusterOrder {
		if all || !cl.registered {
			names = append(names, cl.name)
		}
	}
	scope := fmt.Sprintf("clusters/%s/%s/%t", reg.acct.id, reg.name, all)
	start := 0
	if tok := q.Get("nextToken"); tok != "" {
		var ok bool
		if start, ok = parsePageToken(tok, scope, len(names)); !ok {
			return invalidParameter("The nextToken provided is invalid.")
		}
	}
	end := min(start+max, len(names))
	out := struct {
		Clusters  []string `json:"clusters"`
		NextToken string   `json:"nextToken,omitempty"`
	}{Clusters: names[start:end]}
	if end < len(names) {
		out.NextToken = pageToken(scope, end)
	}
	body, _ := json.Marshal(out)
	s.eksJSON(w, c, body)
	return nil
}

func clusterNotFound(name string) *apiError {
	return notFound("No cluster found for name: %s.", name)
}

func (s *Server) describeCluster(w http.ResponseWriter, c *call, reg *region, name string) *apiError {
	cl := reg.visible(name, s.clock.Now())
	if cl == nil {
		return clusterNotFound(name)
	}
	cl.mu.Lock()
	cl.settle(s.clock.Now())
	view, err := cl.render(cl.shownStatus(true))
	cl.mu.Unlock()
	if err != nil {
		return &apiError{status: http.StatusInternalServerError, code: "ServerException", message: "render cluster: " + err.Error()}
	}
	body := make([]byte, 0, len(view)+12)
	body = append(append(append(body, `{"cluster":`...), view...), '}')
	s.eksJSON(w, c, body)
	return nil
}

// update is an EKS update and, for the ones the emulator started, what it
// will do to the cluster when it ends.
type update struct {
	ID           string
	Type         string
	Status       string
	Params       []UpdateParam
	CreatedAt    time.Time
	Errors       []ErrorDetail
	Cancellation *cancellation

	endsAt   time.Time // zero: runs until cancelled
	fail     bool
	emulated bool
	applied  bool
	apply    func(*Cluster)
	snapshot Cluster // configuration before an applyImmediately update
	body     string  // canonical request, for clientRequestToken replays (TD-19)
}

type cancellation struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

type updateView struct {
	ID           string        `json:"id"`
	Status       string        `json:"status"`
	Type         string        `json:"type"`
	Params       []UpdateParam `json:"params"`
	CreatedAt    epochSeconds  `json:"createdAt"`
	Errors       []ErrorDetail `json:"errors"`
	Cancellation *cancellation `json:"cancellation,omitempty"`
}

func (u *update) view() updateView {
	v := updateView{ID: u.ID, Status: u.Status, Type: u.Type, Params: u.Params, CreatedAt: epochSeconds(u.CreatedAt), Errors: u.Errors, Cancellation: u.Cancellation}
	if v.Params == nil {
		v.Params = []UpdateParam{}
	}
	if v.Errors == nil {
		v.Errors = []ErrorDetail{}
	}
	return v
}

// updateBody is the {"update": ...} answer. Handlers build it under the
// cluster lock and write it after releasing the lock, so a slow client never
// holds up other callers of the same cluster.
func updateBody(u *update) []byte {
	body, _ := json.Marshal(struct {
		Update updateView `json:"update"`
	}{u.view()})
	return body
}

// epochSeconds is how restJson1 sends timestamps (TD-3).
type epochSeconds time.Time

func (t epochSeconds) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(time.Time(t).UnixMilli())/1000, 'f', 3, 64)), nil
}

// settle ends every update whose time has come. Lifecycles are computed on
// read, never by timers, so a FakeClock drives them completely (TD-23).
func (c *cluster) settle(now time.Time) {
	if c.running == 0 {
		return
	}
	for _, u := range c.updates {
		if u.Status == "InProgress" && !u.endsAt.IsZero() && !now.Before(u.endsAt) {
			c.finish(u)
		}
	}
}

func (c *cluster) finish(u *update) {
	c.running--
	if u.fail {
		u.Status = "Failed"
		u.Errors = []ErrorDetail{{ErrorCode: "Unknown", ErrorMessage: "The update failed (injected by the emulator's failUpdates).", ResourceIDs: []string{c.name}}}
		if u.applied {
			c.doc = u.snapshot
		}
	} else {
		u.Status = "Successful"
		if !u.applied && u.apply != nil {
			u.apply(&c.doc)
		}
	}
	u.apply, u.snapshot = nil, Cluster{}
	c.view = nil
}

// runningEmulated is the update UpdateClusterConfig started and that has not
// ended yet, if any.
func (c *cluster) runningEmulated() *update {
	if c.running == 0 {
		return nil
	}
	for _, u := range c.updates {
		if u.emulated && u.Status == "InProgress" {
			return u
		}
	}
	return nil
}

func (c *cluster) runningAny() *update {
	if c.running == 0 {
		return nil
	}
	for _, u := range c.updates {
		if u.Status == "InProgress" {
			return u
		}
	}
	return nil
}

// shownStatus is the status DescribeCluster reports. While an emulated update
// runs, ACTIVE turns into UPDATING only after StatusLag polls (TD-21); poll
// says whether this read counts as one.
func (c *cluster) shownStatus(poll bool) string {
	if c.status != "ACTIVE" || c.runningEmulated() == nil {
		return c.status
	}
	if c.lagLeft > 0 {
		if poll {
			c.lagLeft--
		}
		return "ACTIVE"
	}
	return "UPDATING"
}

type clusterView struct {
	*Cluster
	CreatedAt            epochSeconds   `json:"createdAt"`
	Status               string         `json:"status"`
	Endpoint             string         `json:"endpoint,omitempty"`
	CertificateAuthority *Certificate   `json:"certificateAuthority,omitempty"`
	ConnectorConfig      *connectorView `json:"connectorConfig,omitempty"`
}

type connectorView struct {
	*ConnectorConfig
	ActivationExpiry *epochSeconds `json:"activationExpiry,omitempty"`
}

// render returns the cluster JSON for a status, cached until the
// configuration or the status changes.
func (c *cluster) render(status string) ([]byte, error) {
	if c.view != nil && c.viewStatus == status {
		return c.view, nil
	}
	v := clusterView{Cluster: &c.doc, CreatedAt: epochSeconds(*c.doc.CreatedAt), Status: status}
	// "The API server endpoint and certificate authority data aren't
	// available until the cluster reaches the ACTIVE state" (TD-7);
	// registered clusters have neither.
	if status != "CREATING" && status != "PENDING" && !c.registered {
		v.Endpoint, v.CertificateAuthority = c.doc.Endpoint, c.doc.CertificateAuthority
	}
	if cc := c.doc.ConnectorConfig; cc != nil {
		v.ConnectorConfig = &connectorView{ConnectorConfig: cc}
		if cc.ActivationExpiry != nil {
			v.ConnectorConfig.ActivationExpiry = ptr(epochSeconds(*cc.ActivationExpiry))
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if len(c.omit) > 0 {
		if b, err = omitMembers(b, c.omit); err != nil {
			return nil, err
		}
	}
	c.view, c.viewStatus = b, status
	return b, nil
}

// omitMembers deletes dotted paths from a JSON object; a path through an
// array applies to every element.
func omitMembers(b []byte, paths []string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	for _, p := range paths {
		deletePath(m, strings.Split(p, "."))
	}
	return json.Marshal(m)
}

func deletePath(v any, path []string) {
	switch x := v.(type) {
	case map[string]any:
		if len(path) == 1 {
			delete(x, path[0])
			return
		}
		deletePath(x[path[0]], path[1:])
	case []any:
		for _, e := range x {
			deletePath(e, path)
		}
	}
}

func (s *Server) listUpdates(w http.ResponseWriter, r *http.Request, c *call, reg *region, name string) *apiError {
	cl := reg.visible(name, s.clock.Now())
	if cl == nil {
		return clusterNotFound(name)
	}
	q := r.URL.Query()
	if err := subresourceNotFound(q, cl); err != nil {
		return err
	}
	max, err := parseMaxResults(q, 100)
	if err != nil {
		return err
	}
	order := s.beh.Load().ListUpdatesOrder
	scoped := scopedToPart(q)
	cl.mu.Lock()
	cl.settle(s.clock.Now())
	ids := make([]string, len(cl.updates))
	for i, u := range cl.updates {
		if order == "oldest-first" {
			ids[i] = u.ID
		} else {
			ids[len(ids)-1-i] = u.ID
		}
	}
	cl.mu.Unlock()
	if scoped {
		ids = []string{}
	}
	scope := fmt.Sprintf("updates/%s/%s/%s/%s/%t", reg.acct.id, reg.name, name, order, scoped)
	start := 0
	if tok := q.Get("nextToken"); tok != "" {
		var ok bool
		if start, ok = parsePageToken(tok, scope, len(ids)); !ok {
			return invalidParameter("The nextToken provided is invalid.")
		}
	}
	end := min(start+max, len(ids))
	out := struct {
		UpdateIDs []string `json:"updateIds"`
		NextToken string   `json:"nextToken,omitempty"`
	}{UpdateIDs: ids[start:end]}
	if end < len(ids) {
		out.NextToken = pageToken(scope, end)
	}
	body, _ := json.Marshal(out)
	s.eksJSON(w, c, body)
	return nil
}

// subresourceNotFound answers update calls scoped to a node group, add-on or
// capability the cluster does not have. The node groups and add-ons it has
// have no updates: the emulator runs none of theirs.
func subresourceNotFound(q url.Values, cl *cluster) *apiError {
	switch ng, addon := q.Get("nodegroupName"), q.Get("addonName"); {
	case ng != "" && cl.parts.nodegroupByID[ng] == nil:
		return nodegroupNotFound(ng)
	case addon != "" && cl.parts.addonByName[addon] == nil:
		return addonNotFound(addon, cl.name)
	case q.Get("capabilityName") != "":
		return notFound("No capability found for name: %s.", q.Get("capabilityName"))
	}
	return nil
}

func scopedToPart(q url.Values) bool {
	return q.Get("nodegroupName") != "" || q.Get("addonName") != ""
}

func (s *Server) describeUpdate(w http.ResponseWriter, r *http.Request, c *call, reg *region, name, id string) *apiError {
	cl := reg.visible(name, s.clock.Now())
	if cl == nil {
		return clusterNotFound(name)
	}
	if err := subresourceNotFound(r.URL.Query(), cl); err != nil {
		return err
	}
	cl.mu.Lock()
	cl.settle(s.clock.Now())
	u := cl.byID[id]
	if scopedToPart(r.URL.Query()) {
		u = nil
	}
	var body []byte
	if u != nil {
		body = updateBody(u)
	}
	cl.mu.Unlock()
	if u == nil {
		// Assumed: the real message for an unknown update id is unverified (TD-24).
		return notFound("No update found for ID: %s.", id)
	}
	s.eksJSON(w, c, body)
	return nil
}

// cancelUpdate follows TD-24: only VersionRollback updates can be cancelled;
// an EndpointAccessUpdate cannot.
func (s *Server) cancelUpdate(w http.ResponseWriter, c *call, reg *region, name, id string) *apiError {
	cl := reg.visible(name, s.clock.Now())
	if cl == nil {
		return clusterNotFound(name)
	}
	body, err := s.cancel(cl, id)
	if err != nil {
		return err
	}
	s.eksJSON(w, c, body)
	return nil
}

func (s *Server) cancel(cl *cluster, id string) ([]byte, *apiError) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.settle(s.clock.Now())
	u := cl.byID[id]
	switch {
	case u == nil:
		return nil, notFound("No update found for ID: %s.", id)
	case u.Status != "InProgress":
		return nil, invalidRequest("Update %s is %s and can no longer be cancelled.", id, u.Status)
	case u.Type != "VersionRollback":
		return nil, invalidRequest("Update %s of type %s cannot be cancelled. Only VersionRollback updates can be cancelled.", id, u.Type)
	}
	cl.running--
	u.Status = "Cancelled"
	u.Cancellation = &cancellation{Status: "Successful", Reason: "Cancelled by CancelUpdate request."}
	if u.applied {
		cl.doc = u.snapshot
	}
	u.apply, u.snapshot = nil, Cluster{}
	cl.view = nil
	return updateBody(u), nil
}
