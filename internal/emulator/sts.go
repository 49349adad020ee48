package emulator

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// session is what an access key issued by AssumeRole stands for.
type session struct {
	acct   *account
	role   string
	name   string
	arn    string
	userID string
}

// callerAccount maps an access key to its account: keys from AssumeRole go
// to the assumed account, anything else to the fleet's first account.
func (s *Server) callerAccount(akid string) *account {
	if v, ok := s.sessions.Load(akid); ok {
		return v.(*session).acct
	}
	if len(s.world.order) == 0 {
		return emptyAccount
	}
	return s.world.order[0]
}

var emptyAccount = &account{id: "000000000000", name: "none", status: "ACTIVE", regions: map[string]*region{}}

// principal returns the ARN and user id the access key acts as.
func (s *Server) principal(akid string) (arn, userID string) {
	if v, ok := s.sessions.Load(akid); ok {
		sess := v.(*session)
		return sess.arn, sess.userID
	}
	acct := s.callerAccount(akid)
	return "arn:aws:iam::" + acct.id + ":user/eksguard-emulator", "AIDA" + keyChars("user", acct.id)[:17]
}

// keyChars derives the base32 letters AWS uses in key and principal ids
// (at least 100 of them).
func keyChars(parts ...string) string {
	a := sha256.Sum256([]byte(strings.Join(parts, "/")))
	b := sha256.Sum256(a[:])
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(append(a[:], b[:]...))
}

type stsError struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func (s *Server) stsError(w http.ResponseWriter, c *call, status int, code, msg string) {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	writeXML(w, c, status, stsError{Xmlns: stsNamespace, Type: typ, Code: code, Message: msg, RequestID: c.reqID})
}

func writeXML(w http.ResponseWriter, c *call, status int, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, "eksguard emulator: encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("x-amzn-RequestId", c.reqID)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type getCallerIdentityResponse struct {
	XMLName  xml.Name         `xml:"GetCallerIdentityResponse"`
	Xmlns    string           `xml:"xmlns,attr"`
	Arn      string           `xml:"GetCallerIdentityResult>Arn"`
	UserID   string           `xml:"GetCallerIdentityResult>UserId"`
	Account  string           `xml:"GetCallerIdentityResult>Account"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type assumeRoleResponse struct {
	XMLName xml.Name `xml:"AssumeRoleResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		AssumedRoleUser struct {
			AssumedRoleID string `xml:"AssumedRoleId"`
			Arn           string `xml:"Arn"`
		} `xml:"AssumedRoleUser"`
		Credentials struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string `xml:"SecretAccessKey"`
			SessionToken    string `xml:"SessionToken"`
			Expiration      string `xml:"Expiration"`
		} `xml:"Credentials"`
		PackedPolicySize int `xml:"PackedPolicySize"`
	} `xml:"AssumeRoleResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

func (s *Server) serveSTS(w *recorder, c *call) {
	switch c.op {
	case "GetCallerIdentity":
		arn, userID := s.principal(c.akid)
		writeXML(w, c, http.StatusOK, getCallerIdentityResponse{Xmlns: stsNamespace, Arn: arn, UserID: userID,
			Account: s.callerAccount(c.akid).id, Metadata: responseMetadata{c.reqID}})
	case "AssumeRole":
		s.assumeRole(w, c)
	default:
		s.stsError(w, c, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("Could not find operation %s for version 2011-06-15", c.op))
	}
}

var (
	roleArnRE     = regexp.MustCompile(`^arn:aws[a-z-]*:iam::([0-9]{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64})$`)
	sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

// assumeRole issues credentials whose access key maps back to the target
// account, so that everything called with them happens in that account.
func (s *Server) assumeRole(w http.ResponseWriter, c *call) {
	roleArn, sessionName := c.form.Get("RoleArn"), c.form.Get("RoleSessionName")
	m := roleArnRE.FindStringSubmatch(roleArn)
	switch {
	case m == nil:
		s.stsError(w, c, http.StatusBadRequest, "ValidationError", fmt.Sprintf("%s is invalid", roleArn))
		return
	case !sessionNameRE.MatchString(sessionName):
		s.stsError(w, c, http.StatusBadRequest, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", sessionName))
		return
	}
	duration := time.Hour
	if raw := c.form.Get("DurationSeconds"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 900 || n > 43200 {
			s.stsError(w, c, http.StatusBadRequest, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", raw))
			return
		}
		duration = time.Duration(n) * time.Second
	}
	acctID, role := m[1], m[2]
	target := s.world.accounts[acctID]
	callerArn, _ := s.principal(c.akid)
	if target == nil || target.denyAssume || target.status == "SUSPENDED" ||
		(target.roles != nil && !target.roles[role]) ||
		(target.externalID != "" && c.form.Get("ExternalId") != target.externalID) {
		s.stsError(w, c, http.StatusForbidden, "AccessDenied",
			fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", callerArn, roleArn))
		return
	}
	n := s.sessionSeq.Add(1)
	chars := keyChars("session", acctID, role, sessionName, strconv.FormatUint(n, 10))
	roleID := "AROA" + keyChars("role", acctID, role)[:17]
	sess := &session{acct: target, role: role, name: sessionName,
		arn:    fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", acctID, role, sessionName),
		userID: roleID + ":" + sessionName}
	akid := "ASIA" + chars[:16]
	s.sessions.Store(akid, sess)

	var out assumeRoleResponse
	out.Xmlns = stsNamespace
	out.Result.AssumedRoleUser.AssumedRoleID = sess.userID
	out.Result.AssumedRoleUser.Arn = sess.arn
	out.Result.Credentials.AccessKeyID = akid
	out.Result.Credentials.SecretAccessKey = chars[16:56]
	out.Result.Credentials.SessionToken = "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString([]byte(sess.arn+"/"+chars))
	// Wall clock on purpose: SDK credential caches compare against it.
	out.Result.Credentials.Expiration = time.Now().Add(duration).UTC().Format(time.RFC3339)
	out.Metadata.RequestID = c.reqID
	writeXML(w, c, http.StatusOK, out)
}
