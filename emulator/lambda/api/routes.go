package api

import (
	"net/http"
	"net/url"
	"strings"
)

// route is one operation of the Lambda API: its method, its path (with
// {name} segments and the date prefix), and, when two operations share a
// path, the query parameter that tells them apart.
type route struct {
	method string
	path   []string
	query  [2]string // a parameter and its value, or empty
	op     string
	serve  func(h *Handler, w http.ResponseWriter, r *http.Request, p params) error
}

// params are a request's {name} segments, unescaped.
type params map[string]string

// routes is Lambda's REST JSON API as lambdalab serves it. GetFunction-
// Concurrency alone has the 2019-09-30 prefix; ListFunctions and
// GetAccountSettings are reached with and without a trailing slash.
var routes = []route{
	{method: "POST", path: p("2015-03-31/functions"), op: "CreateFunction", serve: createFunction},
	{method: "GET", path: p("2015-03-31/functions"), op: "ListFunctions", serve: listFunctions},
	{method: "GET", path: p("2015-03-31/functions/{name}"), op: "GetFunction", serve: getFunction},
	{method: "DELETE", path: p("2015-03-31/functions/{name}"), op: "DeleteFunction", serve: deleteFunction},
	{method: "GET", path: p("2015-03-31/functions/{name}/configuration"), op: "GetFunctionConfiguration", serve: getFunctionConfiguration},
	{method: "PUT", path: p("2015-03-31/functions/{name}/configuration"), op: "UpdateFunctionConfiguration", serve: updateFunctionConfiguration},
	{method: "PUT", path: p("2015-03-31/functions/{name}/code"), op: "UpdateFunctionCode", serve: updateFunctionCode},
	{method: "POST", path: p("2015-03-31/functions/{name}/invocations"), op: "Invoke", serve: invoke},
	{method: "POST", path: p("2015-03-31/functions/{name}/policy"), op: "AddPermission", serve: addPermission},
	{method: "GET", path: p("2015-03-31/functions/{name}/policy"), op: "GetPolicy", serve: getPolicy},
	{method: "DELETE", path: p("2015-03-31/functions/{name}/policy/{sid}"), op: "RemovePermission", serve: removePermission},
	{method: "GET", path: p("2018-10-31/layers"), query: [2]string{"find", "LayerVersion"}, op: "GetLayerVersionByArn", serve: getLayerVersionByArn},
	{method: "GET", path: p("2018-10-31/layers"), op: "ListLayers", serve: listLayers},
	{method: "POST", path: p("2018-10-31/layers/{layer}/versions"), op: "PublishLayerVersion", serve: publishLayerVersion},
	{method: "GET", path: p("2018-10-31/layers/{layer}/versions"), op: "ListLayerVersions", serve: listLayerVersions},
	{method: "GET", path: p("2018-10-31/layers/{layer}/versions/{version}"), op: "GetLayerVersion", serve: getLayerVersion},
	{method: "DELETE", path: p("2018-10-31/layers/{layer}/versions/{version}"), op: "DeleteLayerVersion", serve: deleteLayerVersion},
	{method: "PUT", path: p("2019-09-25/functions/{name}/event-invoke-config"), op: "PutFunctionEventInvokeConfig", serve: putEventInvokeConfig},
	{method: "POST", path: p("2019-09-25/functions/{name}/event-invoke-config"), op: "UpdateFunctionEventInvokeConfig", serve: updateEventInvokeConfig},
	{method: "GET", path: p("2019-09-25/functions/{name}/event-invoke-config"), op: "GetFunctionEventInvokeConfig", serve: getEventInvokeConfig},
	{method: "DELETE", path: p("2019-09-25/functions/{name}/event-invoke-config"), op: "DeleteFunctionEventInvokeConfig", serve: deleteEventInvokeConfig},
	{method: "PUT", path: p("2024-08-31/functions/{name}/recursion-config"), op: "PutFunctionRecursionConfig", serve: putRecursionConfig},
	{method: "GET", path: p("2024-08-31/functions/{name}/recursion-config"), op: "GetFunctionRecursionConfig", serve: getRecursionConfig},
	{method: "PUT", path: p("2017-10-31/functions/{name}/concurrency"), op: "PutFunctionConcurrency", serve: putConcurrency},
	{method: "DELETE", path: p("2017-10-31/functions/{name}/concurrency"), op: "DeleteFunctionConcurrency", serve: deleteConcurrency},
	{method: "GET", path: p("2019-09-30/functions/{name}/concurrency"), op: "GetFunctionConcurrency", serve: getConcurrency},
	{method: "GET", path: p("2016-08-19/account-settings"), op: "GetAccountSettings", serve: getAccountSettings},
}

func p(s string) []string { return strings.Split(s, "/") }

// match finds the route of a request and its {name} segments.
func match(r *http.Request) (*route, params) {
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	for i := range routes {
		rt := &routes[i]
		if rt.method != r.Method || len(rt.path) != len(segs) {
			continue
		}
		if q := rt.query; q[0] != "" && r.URL.Query().Get(q[0]) != q[1] {
			continue
		}
		ps, ok := rt.bind(segs)
		if ok {
			return rt, ps
		}
	}
	return nil, nil
}

func (rt *route) bind(segs []string) (params, bool) {
	ps := params{}
	for i, want := range rt.path {
		if strings.HasPrefix(want, "{") {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return nil, false
			}
			ps[strings.Trim(want, "{}")] = v
			continue
		}
		if segs[i] != want {
			return nil, false
		}
	}
	return ps, true
}

// Operations lists the operations the handler serves.
func Operations() []string {
	out := make([]string, 0, len(routes))
	for _, rt := range routes {
		out = append(out, rt.op)
	}
	return out
}

// actionOf is the IAM action of an operation: lambda:OPERATION, except
// where IAM names it otherwise.
func actionOf(op string) string {
	switch op {
	case "Invoke":
		return "lambda:InvokeFunction"
	case "GetLayerVersionByArn":
		return "lambda:GetLayerVersion"
	}
	return "lambda:" + op
}
