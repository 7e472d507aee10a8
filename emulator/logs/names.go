package logs

import "strings"

// Names and ARNs as CloudWatch Logs' API model constrains them.

const maxNameLength = 512

// validGroupName checks a log group name against the API model: 1–512
// characters of [\.\-_/#A-Za-z0-9].
func validGroupName(name, member string) error {
	if name == "" {
		return errNull(member)
	}
	if len(name) > maxNameLength {
		return errConstraint(name, member, "Member must have length less than or equal to 512")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-/#", c) >= 0) {
			return errConstraint(name, member, `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)
		}
	}
	return nil
}

// validStreamName checks a log stream name: 1–512 characters, no ':' or '*'.
func validStreamName(name, member string) error {
	if name == "" {
		return errNull(member)
	}
	if len(name) > maxNameLength {
		return errConstraint(name, member, "Member must have length less than or equal to 512")
	}
	if strings.ContainsAny(name, ":*") {
		return errConstraint(name, member, "Member must satisfy regular expression pattern: [^:*]*")
	}
	return nil
}

// GroupARN is the group's ARN with the trailing ":*" that DescribeLogGroups
// reports as arn and that IAM policies name.
func (s *Store) GroupARN(name string) string { return s.LogGroupARN(name) + ":*" }

// LogGroupARN is the group's ARN without ":*", the form logGroupIdentifier
// takes.
func (s *Store) LogGroupARN(name string) string {
	return "arn:aws:logs:" + s.region + ":" + s.account + ":log-group:" + name
}

// StreamARN is a stream's ARN.
func (s *Store) StreamARN(group, stream string) string {
	return s.LogGroupARN(group) + ":log-stream:" + stream
}

// resolveGroup returns the group named by exactly one of logGroupName and
// logGroupIdentifier (a name, or an ARN without ":*").
func (s *Store) resolveGroup(name, identifier string) (string, error) {
	switch {
	case name != "" && identifier != "":
		return "", errInvalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.") // *unverified* text
	case name != "":
		return name, validGroupName(name, "logGroupName")
	case identifier == "":
		return "", errInvalid("Should provide either name or ARN of the log group.") // *unverified* text
	case !strings.HasPrefix(identifier, "arn:"):
		return identifier, validGroupName(identifier, "logGroupIdentifier")
	case strings.HasSuffix(identifier, ":*"):
		// AWS's own text for an ARN copied from DescribeLogGroups' arn.
		return "", errInvalid(`1 validation error detected: Value at 'logGroupIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w#+=/:,.@-]*`)
	}
	prefix := s.LogGroupARN("")
	if !strings.HasPrefix(identifier, prefix) {
		// Another account's or region's group: none such exists here.
		return "", errGroupNotFound()
	}
	return strings.TrimPrefix(identifier, prefix), nil
}
