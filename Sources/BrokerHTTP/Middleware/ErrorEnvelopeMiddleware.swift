import BrokerCore
import BrokerLocales
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// Turns every error a route throws into the contract's envelope
/// `{"error": {"code", "message"}}` with the message in the request's language.
/// Nothing else in the HTTP layer decides a status code for an error.
struct ErrorEnvelopeMiddleware: RouterMiddleware {
    typealias Context = BrokerRequestContext

    let envelope: ErrorEnvelope

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return envelope.response(for: error, request: request, logger: context.logger)
        }
    }
}

/// Errors as the contract's JSON envelope, and their translated messages (pages use these too).
struct ErrorEnvelope: Sendable {
    let localizer: Localizer

    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var field: String?
        }
        var error: Detail
    }

    func response(for error: any Error, request: Request, logger: Logger) -> Response {
        let locale = Localizer.locale(of: request)
        let l = localizer
        var headers = HTTPFields()
        let status: HTTPResponse.Status
        let code: String
        var message: String
        var field: String?
        switch error {
        case let e as BrokerError:
            (status, code) = Self.statusAndCode(e)
            switch e {
            case .invalidRequest(let f, let reason):
                field = f
                message = f.map { l.text("error.invalid_request_field", locale: locale, ["field": $0, "reason": l.reason(reason, locale: locale)]) }
                    ?? l.text("error.invalid_request", locale: locale) + " " + l.reason(reason, locale: locale)
            case .tooManyAttempts(let s), .tooManyRequests(let s):
                headers[.retryAfter] = String(s)
                message = l.text("error." + code, locale: locale, ["seconds": String(s)])
            case .conflict(let f):
                field = f
                message = l.text("error.conflict", locale: locale, ["field": f])
            case .weakPassword(let reason):
                message = l.text("error.weak_password", locale: locale, ["reason": l.reason(reason, locale: locale)])
            default:
                message = l.text("error." + code, locale: locale)
            }
        case StoreError.conflict(let f):
            (status, code, field) = (.conflict, "conflict", f)
            message = l.text("error.conflict", locale: locale, ["field": f])
        case StoreError.unavailable(let why):
            logger.error("store unavailable", metadata: ["error": .string(why)])
            (status, code) = (.serviceUnavailable, "unavailable")
            message = l.text("error.unavailable", locale: locale)
        case is NIOTooManyBytesError:
            // A body over a route's limit, wherever it is read (JSON 1 MiB, forms 64 KiB).
            (status, code) = (.contentTooLarge, "payload_too_large")
            message = l.text("error." + code, locale: locale)
        case is HTTPParserError:
            // A body the client framed wrongly (a bad chunk size, fewer bytes than Content-Length
            // before it closed): the request's fault, read while a handler took in the body.
            (status, code) = (.badRequest, "invalid_request")
            message = l.text("error.invalid_request", locale: locale)
        case let e as HTTPError:
            status = e.status
            code = Self.code(of: e.status)
            message = l.text("error." + code, locale: locale)
            headers.append(contentsOf: e.headers)  // Allow on a 405
            if e.status.code >= 500 { logger.error("request failed", metadata: ["error": "\(e)"]) }
        default:
            logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            (status, code) = (.internalServerError, "internal_error")
            message = l.text("error.internal_error", locale: locale)
        }
        var response: Response
        do {
            response = try JSONResponse.make(Body(error: .init(code: code, message: message, field: field)), status: status)
        } catch {
            // Strings always encode; should that ever change, still answer with the envelope.
            response = Response(status: .internalServerError, headers: [.contentType: "application/json; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"code":"internal_error","message":"internal error"}}"#)))
        }
        response.headers.append(contentsOf: headers)
        return response
    }

    /// The translated message of a flow error, as the envelope would carry it.
    func message(for error: BrokerError, locale: String) -> String {
        let l = localizer
        switch error {
        case .invalidRequest(let f, let reason):
            return f.map { l.text("error.invalid_request_field", locale: locale, ["field": $0, "reason": l.reason(reason, locale: locale)]) } ?? l.text("error.invalid_request", locale: locale)
        case .weakPassword(let reason): return l.text("error.weak_password", locale: locale, ["reason": l.reason(reason, locale: locale)])
        case .tooManyAttempts(let s), .tooManyRequests(let s): return l.text("error." + error.code, locale: locale, ["seconds": String(s)])
        case .conflict(let f): return l.text("error.conflict", locale: locale, ["field": f])
        default: return l.text("error." + error.code, locale: locale)
        }
    }

    /// The envelope's code for a status that no flow decided (the router's 404 and 405, limits, media types).
    static func code(of status: HTTPResponse.Status) -> String {
        switch status.code {
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 503: "unavailable"
        case 400..<500: "invalid_request"
        default: "internal_error"
        }
    }

    static func statusAndCode(_ e: BrokerError) -> (HTTPResponse.Status, String) {
        let status: HTTPResponse.Status = switch e {
        case .invalidRequest, .weakPassword, .passwordMismatch, .incorrectCheckWord, .invalidCode, .invalidReturnTo, .invalidState,
             .providerError, .invalidIDToken: .badRequest
        case .unknownProvider: .notFound
        case .providerNotConfigured, .identityTaken, .emailTaken, .phoneTaken, .loginTaken, .emailRequired, .lastCredential: .conflict
        case .currentPasswordRequired, .reauthenticationRequired: .forbidden
        case .invalidCredentials, .unauthenticated: .unauthorized
        case .accountBlocked, .passwordNotAllowed: .forbidden
        case .tokenExpired, .tokenUsed, .codeExpired: .gone
        case .notEnabled: .notFound
        case .tooManyAttempts, .tooManyRequests: .tooManyRequests
        case .notFound: .notFound
        case .conflict: .conflict
        }
        return (status, e.code)
    }
}
