package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// ECR is awsJson1_1: X-Amz-Target AmazonEC2ContainerRegistry_V20150921.OP.
const (
	ecrTargetPrefix = "AmazonEC2ContainerRegistry_V20150921."
	ecrMaxResults   = 1000
)

func jsonReply(w http.ResponseWriter, c *call, status int, v any) {
	body, _ := json.Marshal(v)
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("x-amzn-RequestId", c.reqID)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func ecrError(w http.ResponseWriter, c *call, status int, code, msg string) {
	jsonReply(w, c, status, map[string]string{"__type": code, "message": msg})
}

func (s *Server) serveECR(w *recorder, c *call) {
	acct := s.callerAccount(c.akid)
	reg := acct.region(c.region)
	if !reg.enabled {
		ecrError(w, c, http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")
		return
	}
	if denied(acct, reg, c) {
		principal, _ := s.principal(c.akid)
		resource := fmt.Sprintf("arn:aws:ecr:%s:%s:repository/*", reg.name, acct.id)
		if c.op == "GetRegistryScanningConfiguration" {
			resource = fmt.Sprintf("arn:aws:ecr:%s:%s:registry/%s", reg.name, acct.id, acct.id)
		}
		ecrError(w, c, http.StatusForbidden, "AccessDeniedException", denyMessage(principal, c.action(), resource))
		return
	}
	switch c.op {
	case "DescribeRepositories":
		s.describeRepositories(w, c, reg)
	case "GetRegistryScanningConfiguration":
		jsonReply(w, c, http.StatusOK, struct {
			RegistryID            string                        `json:"registryId"`
			ScanningConfiguration RegistryScanningConfiguration `json:"scanningConfiguration"`
		}{acct.id, reg.registryScanning()})
	default:
		ecrError(w, c, http.StatusBadRequest, "UnknownOperationException", fmt.Sprintf("eksguard emulator does not implement ecr:%s", c.op))
	}
}

// registryScanning is ECR's default, BASIC without rules, in a region the
// fleet does not declare.
func (r *region) registryScanning() RegistryScanningConfiguration {
	if r.scanning.ScanType == "" {
		return RegistryScanningConfiguration{ScanType: "BASIC", Rules: []ScanningRule{}}
	}
	return r.scanning
}

type repositoryView struct {
	RepositoryArn              string                      `json:"repositoryArn"`
	RegistryID                 string                      `json:"registryId"`
	RepositoryName             string                      `json:"repositoryName"`
	RepositoryURI              string                      `json:"repositoryUri"`
	CreatedAt                  epochSeconds                `json:"createdAt"`
	ImageTagMutability         string                      `json:"imageTagMutability"`
	ImageScanningConfiguration *ImageScanningConfiguration `json:"imageScanningConfiguration"`
	EncryptionConfiguration    *RepositoryEncryption       `json:"encryptionConfiguration"`
}

func (s *Server) describeRepositories(w http.ResponseWriter, c *call, reg *region) {
	var in struct {
		RegistryID      string   `json:"registryId"`
		RepositoryNames []string `json:"repositoryNames"`
		NextToken       string   `json:"nextToken"`
		MaxResults      *int     `json:"maxResults"`
	}
	if len(c.body) > 0 {
		if err := json.Unmarshal(c.body, &in); err != nil {
			ecrError(w, c, http.StatusBadRequest, "SerializationException", "The request body is not valid JSON.")
			return
		}
	}
	size := 100
	if in.MaxResults != nil {
		switch n := *in.MaxResults; {
		case n < 1:
			ecrError(w, c, http.StatusBadRequest, "ValidationException", fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1", n))
			return
		case n > ecrMaxResults:
			ecrError(w, c, http.StatusBadRequest, "ValidationException", fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", n, ecrMaxResults))
			return
		}
		size = *in.MaxResults
	}
	registry := reg.acct.id
	if in.RegistryID != "" {
		if !accountIDRE.MatchString(in.RegistryID) {
			ecrError(w, c, http.StatusBadRequest, "InvalidParameterException", "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression '[0-9]{12}''")
			return
		}
		registry = in.RegistryID
	}
	// Another account's registry shows nothing: the emulator has no
	// repository policies to grant the caller access.
	var repos []*repository
	if registry == reg.acct.id {
		repos = reg.repos
	}
	if len(in.RepositoryNames) > 0 {
		if len(in.RepositoryNames) > 100 {
			ecrError(w, c, http.StatusBadRequest, "ValidationException", "1 validation error detected: Value at 'repositoryNames' failed to satisfy constraint: Member must have length less than or equal to 100")
			return
		}
		var picked []*repository
		for _, n := range in.RepositoryNames {
			var found *repository
			for _, r := range repos {
				if r.RepositoryName == n {
					found = r
				}
			}
			if found == nil {
				ecrError(w, c, http.StatusBadRequest, "RepositoryNotFoundException",
					fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '%s'", n, registry))
				return
			}
			picked = append(picked, found)
		}
		repos = picked
	}
	scope := fmt.Sprintf("ecr/%s/%s/%s/%q", reg.acct.id, reg.name, registry, in.RepositoryNames)
	start := 0
	if in.NextToken != "" {
		var ok bool
		if start, ok = parsePageToken(in.NextToken, scope, len(repos)); !ok {
			ecrError(w, c, http.StatusBadRequest, "InvalidParameterException", "Invalid parameter at 'nextToken' failed to satisfy constraint: 'The token is not valid'")
			return
		}
	}
	end := min(start+size, len(repos))
	out := struct {
		Repositories []repositoryView `json:"repositories"`
		NextToken    string           `json:"nextToken,omitempty"`
	}{Repositories: make([]repositoryView, 0, end-start)}
	for _, r := range repos[start:end] {
		out.Repositories = append(out.Repositories, repositoryView{
			RepositoryArn: r.arn, RegistryID: reg.acct.id, RepositoryName: r.RepositoryName, RepositoryURI: r.uri,
			CreatedAt: epochSeconds(*r.CreatedAt), ImageTagMutability: r.ImageTagMutability,
			ImageScanningConfiguration: r.ImageScanningConfiguration, EncryptionConfiguration: r.EncryptionConfiguration,
		})
	}
	if end < len(repos) {
		out.NextToken = pageToken(scope, end)
	}
	jsonReply(w, c, http.StatusOK, out)
}
