import Foundation
import Hummingbird

// The yardstick of `make bench`: a bare Hummingbird 2 app on the same machine, in the same
// run, doing the least a JSON API can do (decode a small body, encode a small answer), so the
// broker's figures read as a fraction of what the framework itself serves here.
struct Body: Decodable { var identifier: String }
struct Answer: Encodable { var status: String }

let port = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 18090
let encoder = JSONEncoder()
let decoder = JSONDecoder()
let router = Router()
router.post("/json") { request, context -> Response in
    var request = request
    let buffer = try await request.collectBody(upTo: 1 << 20)
    let body = try decoder.decode(Body.self, from: Data(buffer.readableBytesView))
    let data = try encoder.encode(Answer(status: body.identifier.isEmpty ? "empty" : "accepted"))
    return Response(status: .accepted, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
router.get("/get") { _, _ -> Response in
    let data = try encoder.encode(Answer(status: "ok"))
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "bare"))
try await app.runService()
