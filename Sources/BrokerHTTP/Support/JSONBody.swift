import BrokerCore
import Foundation
import Hummingbird
import NIOCore

/// Reading JSON bodies strictly: a wrong media type, a body over 1 MiB,
/// malformed JSON, a missing field or a wrong type each answer a clear 4xx naming the field.
enum JSONBody {
    /// One decoder for every request: it holds no per-request state, and making one costs.
    static let decoder = JSONDecoder()

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: BrokerRequestContext) async throws -> T {
        if let contentType = request.headers[.contentType], let media = MediaType(from: contentType),
           !(media.type == .application && (media.subType == "json" || media.subType.hasSuffix("+json"))) {
            throw HTTPError(.unsupportedMediaType)
        }
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)  // too large: 413 by the envelope
        guard buffer.readableBytes > 0 else { throw BrokerError.invalidRequest(field: nil, reason: .notJSONObject) }
        do {
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw translate(error)
        }
    }

    /// Like `decode`, but an empty body means "no fields".
    static func decodeOptional<T: Decodable>(_ type: T.Type, from request: Request, context: BrokerRequestContext) async throws -> T? {
        if request.headers[.contentLength] == "0" || (request.headers[.contentLength] == nil && request.headers[.transferEncoding] == nil) {
            return nil
        }
        return try await decode(type, from: request, context: context)
    }

    static func translate(_ error: DecodingError) -> BrokerError {
        func path(_ codingPath: [any CodingKey]) -> String? {
            guard !codingPath.isEmpty else { return nil }
            return codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalidRequest(field: path(context.codingPath + [key]), reason: .required)
        case .typeMismatch(let type, let context):
            guard let field = path(context.codingPath) else { return .invalidRequest(field: nil, reason: .notJSONObject) }
            return .invalidRequest(field: field, reason: .type(describe(type)))
        case .valueNotFound(let type, let context):
            return .invalidRequest(field: path(context.codingPath), reason: .type(describe(type), null: true))
        case .dataCorrupted(let context):
            if let field = path(context.codingPath) { return .invalidRequest(field: field, reason: .detail(context.debugDescription)) }
            return .invalidRequest(field: nil, reason: .invalidJSON)
        @unknown default:
            return .invalidRequest(field: nil, reason: .invalidJSON)
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Bool.Type: "boolean"
        case is Int.Type, is Double.Type: "number"
        case is [Any].Type: "list"
        default: String(describing: type).contains("Array") ? "list" : "object"
        }
    }
}

/// Encoding responses the same way everywhere: ISO 8601 times, sorted keys, no-store caching.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// A JSON response; a value that cannot be encoded is an error (500 `internal_error`), never `{}`.
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let data = try encoder.encode(value)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        if fields[.cacheControl] == nil { fields[.cacheControl] = "no-store" }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
