package logs

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// Request is what the lab needs to authorize an API request before the
// Handler serves it: the IAM action and the names it addresses.
type Request struct {
	Operation     string // PutLogEvents
	Action        string // logs:PutLogEvents
	LogGroupName  string // "" when the request names none (DescribeLogGroups)
	LogStreamName string
}

// ParseRequest reads a request's operation and the group and stream it
// addresses. It reads the body and puts it back for the Handler. An unknown
// operation is not an error here: the Handler answers it.
func ParseRequest(r *http.Request) (Request, error) {
	op, _ := Operation(r)
	q := Request{Operation: op, Action: "logs:" + op}
	if r.Body == nil {
		return q, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return q, &Error{CodeSerialization, "The request body could not be read: " + err.Error()}
	}
	var names struct {
		LogGroupName       string `json:"logGroupName"`
		LogGroupIdentifier string `json:"logGroupIdentifier"`
		LogStreamName      string `json:"logStreamName"`
	}
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &names) != nil {
		return q, nil // the Handler answers the SerializationException
	}
	q.LogGroupName, q.LogStreamName = names.LogGroupName, names.LogStreamName
	if q.LogGroupName == "" {
		q.LogGroupName = identifierName(names.LogGroupIdentifier)
	}
	return q, nil
}

// identifierName takes the group name out of a logGroupIdentifier, a name
// or an ARN of any region and account.
func identifierName(id string) string {
	const marker = ":log-group:"
	if i := strings.Index(id, marker); strings.HasPrefix(id, "arn:") && i >= 0 {
		return strings.TrimSuffix(id[i+len(marker):], ":*")
	}
	return id
}

// Resource is the ARN IAM evaluates the request's action against: the
// stream's ARN for operations on one stream (CreateLogStream,
// DeleteLogStream, PutLogEvents, GetLogEvents), "log-group:*" for
// DescribeLogGroups, and the group's ARN with ":*" (the form IAM policies
// name) for the rest. *unverified*: the split follows the IAM service
// authorization reference's resource types as lambdalab reads them.
func (s *Store) Resource(q Request) string {
	switch {
	case q.Operation == "DescribeLogGroups" || q.LogGroupName == "":
		return s.LogGroupARN("*")
	case q.LogStreamName != "" && (q.Operation == "CreateLogStream" || q.Operation == "DeleteLogStream" ||
		q.Operation == "PutLogEvents" || q.Operation == "GetLogEvents"):
		return s.StreamARN(q.LogGroupName, q.LogStreamName)
	}
	return s.GroupARN(q.LogGroupName)
}
