package logs

import (
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
)

// LogGroup is a group as DescribeLogGroups answers it.
type LogGroup struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   *int   `json:"retentionInDays,omitempty"`
	MetricFilterCount *int   `json:"metricFilterCount,omitempty"`
	Arn               string `json:"arn"`
	LogGroupArn       string `json:"logGroupArn,omitempty"`
	// StoredBytes counts the stored messages' bytes; AWS counts compressed
	// bytes and updates the figure late. *unverified* against AWS's numbers.
	StoredBytes   *int64 `json:"storedBytes,omitempty"`
	LogGroupClass string `json:"logGroupClass,omitempty"`

	// Events is how many events the group holds now (lambdalab's own).
	Events int `json:"-"`
	// DroppedEvents counts the events dropped to keep the group under the
	// store's cap (lambdalab's own).
	DroppedEvents int64 `json:"-"`
}

// LogStream is a stream as DescribeLogStreams answers it.
type LogStream struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   *int64 `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken,omitempty"`
	Arn                 string `json:"arn"`
	// StoredBytes is always 0: AWS stopped reporting it for streams in 2019.
	StoredBytes int64 `json:"storedBytes"`

	// Events is how many events the stream holds now (lambdalab's own).
	Events int `json:"-"`
}

// DescribeLogGroupsInput is DescribeLogGroups' request.
type DescribeLogGroupsInput struct {
	LogGroupNamePrefix  string   `json:"logGroupNamePrefix,omitempty"`
	LogGroupNamePattern string   `json:"logGroupNamePattern,omitempty"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers,omitempty"`
	Limit               *int     `json:"limit,omitempty"`
	NextToken           string   `json:"nextToken,omitempty"`
}

// DescribeLogGroupsOutput is DescribeLogGroups' answer.
type DescribeLogGroupsOutput struct {
	LogGroups []LogGroup `json:"logGroups"`
	NextToken string     `json:"nextToken,omitempty"`
}

// DescribeLogStreamsInput is DescribeLogStreams' request.
type DescribeLogStreamsInput struct {
	LogGroupName        string `json:"logGroupName,omitempty"`
	LogGroupIdentifier  string `json:"logGroupIdentifier,omitempty"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix,omitempty"`
	OrderBy             string `json:"orderBy,omitempty"` // LogStreamName (default) or LastEventTime
	Descending          bool   `json:"descending,omitempty"`
	Limit               *int   `json:"limit,omitempty"`
	NextToken           string `json:"nextToken,omitempty"`
}

// DescribeLogStreamsOutput is DescribeLogStreams' answer.
type DescribeLogStreamsOutput struct {
	LogStreams []LogStream `json:"logStreams"`
	NextToken  string      `json:"nextToken,omitempty"`
}

// describeLimit checks a Describe* limit (1–50, default 50).
func describeLimit(l *int) (int, error) {
	switch {
	case l == nil:
		return 50, nil
	case *l < 1:
		return 0, errConstraint(*l, "limit", "Member must have value greater than or equal to 1")
	case *l > 50:
		return 0, errConstraint(*l, "limit", "Member must have value less than or equal to 50")
	}
	return *l, nil
}

// DescribeLogGroups lists groups by name, a page at a time.
func (s *Store) DescribeLogGroups(in DescribeLogGroupsInput) (DescribeLogGroupsOutput, error) {
	limit, err := describeLimit(in.Limit)
	if err != nil {
		return DescribeLogGroupsOutput{}, err
	}
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return DescribeLogGroupsOutput{}, errInvalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.") // *unverified* text
	}
	after, err := decodeListToken(in.NextToken)
	if err != nil {
		return DescribeLogGroupsOutput{}, err
	}
	ids := map[string]bool{}
	for _, id := range in.LogGroupIdentifiers {
		name, err := s.resolveGroup("", id)
		if err != nil {
			return DescribeLogGroupsOutput{}, err
		}
		ids[name] = true
	}
	out := DescribeLogGroupsOutput{LogGroups: []LogGroup{}}
	for _, g := range s.Groups() {
		name := g.LogGroupName
		if !strings.HasPrefix(name, in.LogGroupNamePrefix) || !strings.Contains(name, in.LogGroupNamePattern) ||
			len(ids) > 0 && !ids[name] || in.NextToken != "" && name <= after {
			continue
		}
		if len(out.LogGroups) == limit {
			out.NextToken = encodeListToken(out.LogGroups[limit-1].LogGroupName)
			break
		}
		if in.LogGroupNamePattern != "" { // AWS answers only these three then
			g = LogGroup{LogGroupName: g.LogGroupName, CreationTime: g.CreationTime, Arn: g.Arn}
		}
		out.LogGroups = append(out.LogGroups, g)
	}
	return out, nil
}

// Groups returns every group, sorted by name.
func (s *Store) Groups() []LogGroup {
	s.mu.RLock()
	gs := make([]*group, 0, len(s.groups))
	for _, g := range s.groups {
		gs = append(gs, g)
	}
	s.mu.RUnlock()
	sort.Slice(gs, func(i, j int) bool { return gs[i].name < gs[j].name })
	out := make([]LogGroup, len(gs))
	for i, g := range gs {
		out[i] = s.describeGroup(g)
	}
	return out
}

func (s *Store) describeGroup(g *group) LogGroup {
	g.mu.RLock()
	defer g.mu.RUnlock()
	zero, bytes := 0, g.bytes
	d := LogGroup{LogGroupName: g.name, CreationTime: g.created, MetricFilterCount: &zero,
		Arn: s.GroupARN(g.name), LogGroupArn: s.LogGroupARN(g.name), StoredBytes: &bytes,
		LogGroupClass: "STANDARD", Events: g.count, DroppedEvents: g.dropped}
	if g.retention > 0 {
		r := g.retention
		d.RetentionInDays = &r
	}
	return d
}

// DescribeLogStreams lists a group's streams, by name or by last event
// time, a page at a time.
func (s *Store) DescribeLogStreams(in DescribeLogStreamsInput) (DescribeLogStreamsOutput, error) {
	name, err := s.resolveGroup(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return DescribeLogStreamsOutput{}, err
	}
	limit, err := describeLimit(in.Limit)
	if err != nil {
		return DescribeLogStreamsOutput{}, err
	}
	byTime := in.OrderBy == "LastEventTime"
	switch {
	case in.OrderBy != "" && in.OrderBy != "LogStreamName" && !byTime:
		return DescribeLogStreamsOutput{}, errConstraint(in.OrderBy, "orderBy", "Member must satisfy enum value set: [LogStreamName, LastEventTime]")
	case byTime && in.LogStreamNamePrefix != "":
		return DescribeLogStreamsOutput{}, errInvalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	after, err := decodeListToken(in.NextToken)
	if err != nil {
		return DescribeLogStreamsOutput{}, err
	}
	streams, err := s.Streams(name)
	if err != nil {
		return DescribeLogStreamsOutput{}, err
	}
	sortKey := func(st LogStream) string { return st.LogStreamName }
	if byTime {
		// Zero-padded time first, so the strings sort as the times do.
		sortKey = func(st LogStream) string {
			var t int64
			if st.LastEventTimestamp != nil {
				t = *st.LastEventTimestamp
			}
			var b [20]byte
			digits(b[:], uint64(max(t, 0)))
			return string(b[:]) + "/" + st.LogStreamName
		}
	}
	sort.Slice(streams, func(i, j int) bool { return (sortKey(streams[i]) < sortKey(streams[j])) != in.Descending })
	out := DescribeLogStreamsOutput{LogStreams: []LogStream{}}
	for _, st := range streams {
		k := sortKey(st)
		onward := !in.Descending && k > after || in.Descending && k < after
		if !strings.HasPrefix(st.LogStreamName, in.LogStreamNamePrefix) || in.NextToken != "" && !onward {
			continue
		}
		if len(out.LogStreams) == limit {
			out.NextToken = encodeListToken(sortKey(out.LogStreams[limit-1]))
			break
		}
		out.LogStreams = append(out.LogStreams, st)
	}
	return out, nil
}

// Streams returns a group's streams, oldest first (by creation, then name).
func (s *Store) Streams(groupName string) ([]LogStream, error) {
	g, err := s.group(groupName)
	if err != nil {
		return nil, err
	}
	g.mu.RLock()
	out := make([]LogStream, 0, len(g.streams))
	for _, st := range g.streams {
		out = append(out, s.describeStream(g.name, st))
	}
	g.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].CreationTime != out[j].CreationTime {
			return out[i].CreationTime < out[j].CreationTime
		}
		return out[i].LogStreamName < out[j].LogStreamName
	})
	return out, nil
}

func (s *Store) describeStream(groupName string, st *stream) LogStream {
	d := LogStream{LogStreamName: st.name, CreationTime: st.created, Arn: s.StreamARN(groupName, st.name), Events: len(st.events)}
	if st.hasEvents {
		first, last, ingest := st.first, st.last, st.lastIngest
		d.FirstEventTimestamp, d.LastEventTimestamp, d.LastIngestionTime = &first, &last, &ingest
	}
	if st.uploads > 0 {
		d.UploadSequenceToken = sequenceToken(st.uploads)
	}
	return d
}

// List tokens are opaque to clients; inside, the sort key of the last item
// answered, so a page goes on after it even when items came or went.
func encodeListToken(k string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("l1/" + strconv.Quote(k)))
}

func decodeListToken(t string) (string, error) {
	if t == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || !strings.HasPrefix(string(b), "l1/") {
		return "", errBadToken()
	}
	k, err := strconv.Unquote(string(b[3:]))
	if err != nil {
		return "", errBadToken()
	}
	return k, nil
}
