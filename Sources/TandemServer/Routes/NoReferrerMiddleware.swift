import Hummingbird

/// Every response says `Referrer-Policy: no-referrer`: agent pages carry the session key in
/// their URL (the viewer, the sign-in page's `next`), and no link, image or style a mirrored page
/// loads may pass it on as a Referer. Set for all responses, redirects and errors included, so
/// no new route can forget it.
struct NoReferrerMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            response.headers[.init("Referrer-Policy")!] = "no-referrer"
            return response
        } catch let error as any HTTPResponseError {
            var response = try error.response(from: request, context: context)
            response.headers[.init("Referrer-Policy")!] = "no-referrer"
            return response
        }
    }
}
