package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
)

func (s *Server) orgError(w http.ResponseWriter, c *call, code, msg string, extra map[string]string) {
	body := map[string]string{"__type": code, "Message": msg}
	for k, v := range extra {
		body[k] = v
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("x-amzn-RequestId", c.reqID)
	w.WriteHeader(http.StatusBadRequest) // awsJson1_1 errors without an httpError trait
	_, _ = w.Write(b)
}

type orgAccount struct {
	ID              string       `json:"Id"`
	Arn             string       `json:"Arn"`
	Email           string       `json:"Email"`
	Name            string       `json:"Name"`
	Status          string       `json:"Status"`
	State           string       `json:"State"`
	JoinedMethod    string       `json:"JoinedMethod"`
	JoinedTimestamp epochSeconds `json:"JoinedTimestamp"`
}

func (s *Server) serveOrganizations(w *recorder, c *call) {
	if c.op != "ListAccounts" {
		s.orgError(w, c, "UnsupportedAPIEndpointException", fmt.Sprintf("eksguard emulator does not implement organizations:%s", c.op), nil)
		return
	}
	s.listAccounts(w, c)
}

// listAccounts implements TD-30: only the management account may list, pages
// hold 1..20 accounts, and empty pages may still carry a NextToken.
func (s *Server) listAccounts(w http.ResponseWriter, c *call) {
	if !s.world.org {
		s.orgError(w, c, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.", nil)
		return
	}
	if len(s.world.order) == 0 || s.callerAccount(c.akid) != s.world.order[0] {
		s.orgError(w, c, "AccessDeniedException", "You don't have permissions to access this resource.", nil)
		return
	}
	var in struct {
		MaxResults *int   `json:"MaxResults"`
		NextToken  string `json:"NextToken"`
	}
	if len(c.body) > 0 {
		if err := json.Unmarshal(c.body, &in); err != nil {
			s.orgError(w, c, "InvalidInputException", "The request body is not valid JSON.", map[string]string{"Reason": "INVALID_INPUT"})
			return
		}
	}
	size := 20
	if in.MaxResults != nil {
		switch n := *in.MaxResults; {
		case n < 1:
			s.orgError(w, c, "InvalidInputException", "You provided a value that is below the minimum allowed for MaxResults.", map[string]string{"Reason": "MIN_VALUE_EXCEEDED"})
			return
		case n > 20:
			s.orgError(w, c, "InvalidInputException", "You provided a value that exceeds the maximum allowed for MaxResults.", map[string]string{"Reason": "MAX_VALUE_EXCEEDED"})
			return
		default:
			size = n
		}
	}
	b := s.beh.Load()
	if b.OrgPageSize > 0 {
		size = min(size, b.OrgPageSize)
	}
	// Positions 0..empty-1 are the empty pages; after that, account offsets
	// shifted by the number of empty pages.
	empty := b.OrganizationEmptyPages
	total := len(s.world.order)
	const scope = "organizations/accounts"
	pos := 0
	if in.NextToken != "" {
		var ok bool
		if pos, ok = parsePageToken(in.NextToken, scope, empty+total); !ok {
			s.orgError(w, c, "InvalidInputException", "The specified NextToken is not valid.", map[string]string{"Reason": "INVALID_NEXT_TOKEN"})
			return
		}
	}
	out := struct {
		Accounts  []orgAccount `json:"Accounts"`
		NextToken string       `json:"NextToken,omitempty"`
	}{Accounts: []orgAccount{}}
	switch {
	case pos < empty:
		out.NextToken = pageToken(scope, pos+1)
	default:
		start := pos - empty
		end := min(start+size, total)
		mgmt := s.world.order[0]
		orgID := "o-" + shortHex(digest("org", mgmt.id), 10)
		for _, a := range s.world.order[start:end] {
			method := "CREATED"
			if a == mgmt {
				method = "INVITED"
			}
			out.Accounts = append(out.Accounts, orgAccount{
				ID: a.id, Arn: fmt.Sprintf("arn:aws:organizations::%s:account/%s/%s", mgmt.id, orgID, a.id),
				Email: a.email, Name: a.name, Status: a.status, State: a.status,
				JoinedMethod: method, JoinedTimestamp: epochSeconds(a.joined),
			})
		}
		if end < total {
			out.NextToken = pageToken(scope, empty+end)
		}
	}
	body, _ := json.Marshal(out)
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("x-amzn-RequestId", c.reqID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
