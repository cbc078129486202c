import Foundation

/// Why a message could not be rendered or sent.
public enum DeliveryError: Error, CustomStringConvertible {
    case template(String)
    case transport(String)

    public var description: String {
        switch self {
        case .template(let s): "template: \(s)"
        case .transport(let s): s
        }
    }
}
