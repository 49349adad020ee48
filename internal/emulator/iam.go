package emulator

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// IAM is awsQuery (Version=2010-05-08) and global: every region answers with
// the account's IAM.
const (
	iamVersion   = "2010-05-08"
	iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"
)

var (
	principalArnRE       = regexp.MustCompile(`^arn:aws[a-z-]*:iam::([0-9]{12}):(role|user)/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64})$`)
	instanceProfileArnRE = regexp.MustCompile(`^arn:aws[a-z-]*:iam::([0-9]{12}):instance-profile/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,128})$`)
	policyArnRE          = regexp.MustCompile(`^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/((?:[\w+=,.@/-]*/)?)([\w+=,.@-]{1,128})$`)
	policyVersionRE      = regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`)
	iamPathRE            = regexp.MustCompile(`^/(?:[\x21-\x7E]*/)?$`)
)

// defaultTrustPolicy is the trust policy of a role that declares none: a node
// role's, trusting EC2.
const defaultTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

type iamState struct {
	acct        string
	roles       map[string]*iamRole
	policies    map[string]*iamPolicy // customer managed, by ARN
	profiles    map[string]*iamProfile
	attachments map[string]int // policy ARN -> roles it is attached to
}

type iamRole struct {
	IAMRole
	arn, id     string
	created     time.Time
	inline      map[string]PolicyDocument
	inlineNames []string
}

type iamPolicy struct {
	IAMPolicy
	arn, id string
	created time.Time
}

type iamProfile struct {
	InstanceProfile
	arn, id string
	created time.Time
	roles   []*iamRole
}

func instanceProfileID(acct, name string) string {
	return "AIPA" + keyChars("instance-profile", acct, name)[:17]
}

func iamPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// buildIAM indexes an account's IAM; nil IAM is an account with none of it.
func buildIAM(acct string, f *IAM) *iamState {
	st := &iamState{acct: acct, roles: map[string]*iamRole{}, policies: map[string]*iamPolicy{},
		profiles: map[string]*iamProfile{}, attachments: map[string]int{}}
	if f == nil {
		return st
	}
	created := defaultCreatedAt.AddDate(0, 0, -30)
	for _, fp := range f.Policies {
		p := &iamPolicy{IAMPolicy: fp, created: created}
		p.Path = iamPath(p.Path)
		p.arn = "arn:aws:iam::" + acct + ":policy" + p.Path + p.PolicyName
		p.id = "ANPA" + keyChars("policy", acct, p.PolicyName)[:17]
		if _, dup := st.policies[p.arn]; !dup {
			st.policies[p.arn] = p
		}
	}
	for _, fr := range f.Roles {
		if _, dup := st.roles[fr.RoleName]; dup {
			continue
		}
		r := &iamRole{IAMRole: fr, created: created, inline: map[string]PolicyDocument{}}
		r.Path = iamPath(r.Path)
		r.arn = "arn:aws:iam::" + acct + ":role" + r.Path + r.RoleName
		r.id = "AROA" + keyChars("role", acct, r.RoleName)[:17] // as AssumeRole derives it
		if r.AssumeRolePolicyDocument == "" {
			r.AssumeRolePolicyDocument = defaultTrustPolicy
		}
		for _, rp := range fr.RolePolicies {
			if _, dup := r.inline[rp.PolicyName]; dup {
				continue
			}
			r.inline[rp.PolicyName] = rp.PolicyDocument
			r.inlineNames = append(r.inlineNames, rp.PolicyName)
		}
		seen := map[string]bool{}
		for _, arn := range fr.AttachedPolicies {
			if !seen[arn] {
				seen[arn] = true
				st.attachments[arn]++
			}
		}
		st.roles[r.RoleName] = r
	}
	for _, fp := range f.InstanceProfiles {
		if _, dup := st.profiles[fp.InstanceProfileName]; dup {
			continue
		}
		p := &iamProfile{InstanceProfile: fp, created: created, id: instanceProfileID(acct, fp.InstanceProfileName)}
		p.Path = iamPath(p.Path)
		p.arn = "arn:aws:iam::" + acct + ":instance-profile" + p.Path + p.InstanceProfileName
		for _, name := range fp.Roles {
			if r := st.roles[name]; r != nil {
				p.roles = append(p.roles, r)
			}
		}
		st.profiles[p.InstanceProfileName] = p
	}
	return st
}

// attachedName is the name and path of an attached policy, by its ARN.
func (st *iamState) attachedName(arn string) (name, path string) {
	if p := managedByArn[arn]; p != nil {
		return p.name, "/"
	}
	if p := st.policies[arn]; p != nil {
		return p.PolicyName, p.Path
	}
	if m := policyArnRE.FindStringSubmatch(arn); m != nil {
		return m[3], "/" + m[2]
	}
	return arn, "/"
}

// rfc3986 escapes everything but the unreserved characters, as IAM encodes
// policy documents.
func rfc3986(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// queryErrorResponse is the awsQuery error shape of IAM, STS and ELB.
type queryErrorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func queryError(w http.ResponseWriter, c *call, ns string, status int, code, msg string) {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	writeXML(w, c, status, queryErrorResponse{Xmlns: ns, Type: typ, Code: code, Message: msg, RequestID: c.reqID})
}

// queryFault is an awsQuery error on its way to the wire.
type queryFault struct {
	status        int
	code, message string
}

func validationError(format string, args ...any) *queryFault {
	return &queryFault{http.StatusBadRequest, "ValidationError", fmt.Sprintf(format, args...)}
}

func noSuchEntity(format string, args ...any) *queryFault {
	return &queryFault{http.StatusNotFound, "NoSuchEntity", fmt.Sprintf(format, args...)}
}

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlTags struct {
	Members []xmlTag `xml:"member"`
}

func queryTags(tags map[string]string) *xmlTags {
	if len(tags) == 0 {
		return nil
	}
	t := &xmlTags{}
	for _, k := range sortedKeys(tags) {
		t.Members = append(t.Members, xmlTag{k, tags[k]})
	}
	return t
}

type iamRoleXML struct {
	Path                     string    `xml:"Path"`
	RoleName                 string    `xml:"RoleName"`
	RoleID                   string    `xml:"RoleId"`
	Arn                      string    `xml:"Arn"`
	CreateDate               time.Time `xml:"CreateDate"`
	AssumeRolePolicyDocument string    `xml:"AssumeRolePolicyDocument"`
	MaxSessionDuration       int       `xml:"MaxSessionDuration,omitempty"`
	Tags                     *xmlTags  `xml:"Tags,omitempty"`
}

func (r *iamRole) xml(full bool) iamRoleXML {
	x := iamRoleXML{Path: r.Path, RoleName: r.RoleName, RoleID: r.id, Arn: r.arn, CreateDate: r.created,
		AssumeRolePolicyDocument: rfc3986(string(r.AssumeRolePolicyDocument))}
	if full {
		x.MaxSessionDuration = 3600
		x.Tags = queryTags(r.Tags)
	}
	return x
}

type iamInstanceProfileXML struct {
	Path                string    `xml:"Path"`
	InstanceProfileName string    `xml:"InstanceProfileName"`
	InstanceProfileID   string    `xml:"InstanceProfileId"`
	Arn                 string    `xml:"Arn"`
	CreateDate          time.Time `xml:"CreateDate"`
	Roles               struct {
		Members []iamRoleXML `xml:"member"`
	} `xml:"Roles"`
}

type iamPolicyXML struct {
	PolicyName                    string    `xml:"PolicyName"`
	PolicyID                      string    `xml:"PolicyId"`
	Arn                           string    `xml:"Arn"`
	Path                          string    `xml:"Path"`
	DefaultVersionID              string    `xml:"DefaultVersionId"`
	AttachmentCount               int       `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int       `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool      `xml:"IsAttachable"`
	CreateDate                    time.Time `xml:"CreateDate"`
	UpdateDate                    time.Time `xml:"UpdateDate"`
}

type iamPolicyVersionXML struct {
	Document         string    `xml:"Document"`
	VersionID        string    `xml:"VersionId"`
	IsDefaultVersion bool      `xml:"IsDefaultVersion"`
	CreateDate       time.Time `xml:"CreateDate"`
}

type attachedPolicyXML struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

// iamResponse wraps a result as awsQuery does: <OpResponse><OpResult>.
type iamResponse struct {
	XMLName  xml.Name
	Xmlns    string `xml:"xmlns,attr"`
	Result   any
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

func writeQueryResult(w http.ResponseWriter, c *call, ns string, result any) {
	writeXML(w, c, http.StatusOK, iamResponse{XMLName: xml.Name{Local: c.op + "Response"}, Xmlns: ns,
		Result: result, Metadata: responseMetadata{c.reqID}})
}

func (s *Server) serveIAM(w *recorder, c *call) {
	acct := s.callerAccount(c.akid)
	st := acct.iam
	if st == nil {
		st = buildIAM(acct.id, nil)
	}
	if denied(acct, nil, c) {
		principal, _ := s.principal(c.akid)
		queryError(w, c, iamNamespace, http.StatusForbidden, "AccessDenied", denyMessage(principal, c.action(), iamResource(acct.id, c)))
		return
	}
	var f *queryFault
	switch c.op {
	case "GetRole":
		f = s.getRole(w, c, st)
	case "GetInstanceProfile":
		f = s.getInstanceProfile(w, c, st)
	case "ListAttachedRolePolicies":
		f = s.listAttachedRolePolicies(w, c, st)
	case "GetPolicy":
		f = s.getPolicy(w, c, st)
	case "GetPolicyVersion":
		f = s.getPolicyVersion(w, c, st)
	case "ListRolePolicies":
		f = s.listRolePolicies(w, c, st)
	case "GetRolePolicy":
		f = s.getRolePolicy(w, c, st)
	default:
		f = &queryFault{http.StatusBadRequest, "InvalidAction", fmt.Sprintf("Could not find operation %s for version %s", c.op, iamVersion)}
	}
	if f != nil {
		queryError(w, c, iamNamespace, f.status, f.code, f.message)
	}
}

// iamResource is the resource a refused IAM call names.
func iamResource(acct string, c *call) string {
	switch {
	case c.form.Get("PolicyArn") != "":
		return c.form.Get("PolicyArn")
	case c.form.Get("RoleName") != "":
		return "arn:aws:iam::" + acct + ":role/" + c.form.Get("RoleName")
	case c.form.Get("InstanceProfileName") != "":
		return "arn:aws:iam::" + acct + ":instance-profile/" + c.form.Get("InstanceProfileName")
	}
	return ""
}

func required(c *call, param, member string) (string, *queryFault) {
	v := c.form.Get(param)
	if v == "" {
		return "", validationError("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
	return v, nil
}

func (st *iamState) role(c *call) (*iamRole, *queryFault) {
	name, f := required(c, "RoleName", "roleName")
	if f != nil {
		return nil, f
	}
	r := st.roles[name]
	if r == nil {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	return r, nil
}

func (s *Server) getRole(w http.ResponseWriter, c *call, st *iamState) *queryFault {
	r, f := st.role(c)
	if f != nil {
		return f
	}
	writeQueryResult(w, c, iamNamespace, struct {
		XMLName xml.Name   `xml:"GetRoleResult"`
		Role    iamRoleXML `xml:"Role"`
	}{Role: r.xml(true)})
	return nil
}

func (s *Server) getInstanceProfile(w http.ResponseWriter, c *call, st *iamState) *queryFault {
	name, f := required(c, "InstanceProfileName", "instanceProfileName")
	if f != nil {
		return f
	}
	p := st.profiles[name]
	if p == nil {
		return noSuchEntity("Instance Profile %s cannot be found.", name)
	}
	out := iamInstanceProfileXML{Path: p.Path, InstanceProfileName: p.InstanceProfileName, InstanceProfileID: p.id, Arn: p.arn, CreateDate: p.created}
	for _, r := range p.roles {
		out.Roles.Members = append(out.Roles.Members, r.xml(false))
	}
	writeQueryResult(w, c, iamNamespace, struct {
		XMLName         xml.Name              `xml:"GetInstanceProfileResult"`
		InstanceProfile iamInstanceProfileXML `xml:"InstanceProfile"`
	}{InstanceProfile: out})
	return nil
}

// iamPage applies Marker and MaxItems (1..1000, default 100) to n items.
func iamPage(c *call, scope string, n int) (start, end int, next string, f *queryFault) {
	size := 100
	if raw := c.form.Get("MaxItems"); raw != "" {
		v, err := strconv.Atoi(raw)
		switch {
		case err != nil:
			return 0, 0, "", validationError("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must be an integer", raw)
		case v < 1:
			return 0, 0, "", validationError("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1", v)
		case v > 1000:
			return 0, 0, "", validationError("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000", v)
		}
		size = v
	}
	if m := c.form.Get("Marker"); m != "" {
		var ok bool
		if start, ok = parsePageToken(m, scope, n); !ok {
			return 0, 0, "", validationError("Invalid Marker: %s", m)
		}
	}
	end = min(start+size, n)
	if end < n {
		next = pageToken(scope, end)
	}
	return start, end, next, nil
}

func (s *Server) listAttachedRolePolicies(w http.ResponseWriter, c *call, st *iamState) *queryFault {
	r, f := st.role(c)
	if f != nil {
		return f
	}
	prefix := c.form.Get("PathPrefix")
	var list []attachedPolicyXML
	seen := map[string]bool{}
	for _, arn := range r.AttachedPolicies {
		name, path := st.attachedName(arn)
		if seen[arn] || !strings.HasPrefix(path, prefix) {
			continue
		}
		seen[arn] = true
		list = append(list, attachedPolicyXML{PolicyName: name, PolicyArn: arn})
	}
	start, end, next, f := iamPage(c, "iam/attached/"+st.acct+"/"+r.RoleName+"/"+prefix, len(list))
	if f != nil {
		return f
	}
	out := struct {
		XMLName          xml.Name `xml:"ListAttachedRolePoliciesResult"`
		AttachedPolicies struct {
			Members []attachedPolicyXML `xml:"member"`
		} `xml:"AttachedPolicies"`
		IsTruncated bool   `xml:"IsTruncated"`
		Marker      string `xml:"Marker,omitempty"`
	}{IsTruncated: next != "", Marker: next}
	out.AttachedPolicies.Members = list[start:end]
	writeQueryResult(w, c, iamNamespace, out)
	return nil
}

// policy finds a policy the caller can read: an AWS managed one the emulator
// knows, or a customer one of the caller's account.
func (st *iamState) policy(c *call) (*iamPolicyXML, string, *queryFault) {
	arn, f := required(c, "PolicyArn", "policyArn")
	if f != nil {
		return nil, "", f
	}
	if !policyArnRE.MatchString(arn) {
		return nil, "", &queryFault{http.StatusBadRequest, "InvalidInput", fmt.Sprintf("ARN %s is not valid.", arn)}
	}
	if m := managedByArn[arn]; m != nil {
		return &iamPolicyXML{PolicyName: m.name, PolicyID: m.id, Arn: arn, Path: "/", DefaultVersionID: m.version,
			AttachmentCount: st.attachments[arn], IsAttachable: true, CreateDate: m.createDate(), UpdateDate: m.updateDate()}, m.document, nil
	}
	if p := st.policies[arn]; p != nil {
		return &iamPolicyXML{PolicyName: p.PolicyName, PolicyID: p.id, Arn: arn, Path: p.Path, DefaultVersionID: "v1",
			AttachmentCount: st.attachments[arn], IsAttachable: true, CreateDate: p.created, UpdateDate: p.created}, string(p.PolicyDocument), nil
	}
	return nil, "", noSuchEntity("Policy %s does not exist or is not attachable.", arn)
}

func (s *Server) getPolicy(w http.ResponseWriter, c *call, st *iamState) *queryFault {
	p, _, f := st.policy(c)
	if f != nil {
		return f
	}
	writeQueryResult(w, c, iamNamespace, struct {
		XMLName xml.Name     `xml:"GetPolicyResult"`
		Policy  iamPolicyXML `xml:"Policy"`
	}{Policy: *p})
	return nil
}

// getPolicyVersion serves the default version only: the emulator keeps one
// version of every policy.
func (s *Server) getPolicyVersion(w http.ResponseWriter, c *call, st *iamState) *queryFault {
	p, doc, f := st.policy(c)
	if f != nil {
		return f
	}
	v, f := required(c, "VersionId", "versionId")
	if f != nil {
		return f
	}
	if !policyVersionRE.MatchString(v) {
		return validationError("1 validation error detected: Value '%s' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", v)
	}
	if v != p.DefaultVersionID {
		return noSuchEntity("Policy %s version %s does not exist or is not attachable.", p.Arn, v)
	}
	writeQueryResult(w, c, iamNamespace, struct {
		XMLName       xml.Name            `xml:"GetPolicyVersionResult"`
		PolicyVersion iamPolicyVersionXML `xml:"PolicyVersion"`
	}{PolicyVersion: iamPolicyVersionXML{Document: rfc3986(doc), VersionID: v, IsDefaultVersion: true, CreateDate: p.UpdateDate}})
	return nil
}

func (s *Server) listRolePolicies(w http.ResponseWriter, c *call, st *iamState) *queryFault {
	r, f := st.role(c)
	if f != nil {
		return f
	}
	start, end, next, f := iamPage(c, "iam/inline/"+st.acct+"/"+r.RoleName, len(r.inlineNames))
	if f != nil {
		return f
	}
	out := struct {
		XMLName     xml.Name `xml:"ListRolePoliciesResult"`
		PolicyNames struct {
			Members []string `xml:"member"`
		} `xml:"PolicyNames"`
		IsTruncated bool   `xml:"IsTruncated"`
		Marker      string `xml:"Marker,omitempty"`
	}{IsTruncated: next != "", Marker: next}
	out.PolicyNames.Members = r.inlineNames[start:end]
	writeQueryResult(w, c, iamNamespace, out)
	return nil
}

func (s *Server) getRolePolicy(w http.ResponseWriter, c *call, st *iamState) *queryFault {
	r, f := st.role(c)
	if f != nil {
		return f
	}
	name, f := required(c, "PolicyName", "policyName")
	if f != nil {
		return f
	}
	doc, ok := r.inline[name]
	if !ok {
		return noSuchEntity("The role policy with name %s cannot be found.", name)
	}
	writeQueryResult(w, c, iamNamespace, struct {
		XMLName        xml.Name `xml:"GetRolePolicyResult"`
		RoleName       string   `xml:"RoleName"`
		PolicyName     string   `xml:"PolicyName"`
		PolicyDocument string   `xml:"PolicyDocument"`
	}{RoleName: r.RoleName, PolicyName: name, PolicyDocument: rfc3986(string(doc))})
	return nil
}
