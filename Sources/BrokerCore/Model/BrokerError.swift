/// Every refusal the flows can give. The HTTP layer maps each case to the
/// contract's status and error code in one place; the CLI prints its message.
public enum BrokerError: Error, Sendable, Equatable {
    case invalidRequest(field: String?, reason: Reason)
    case invalidCredentials
    case accountBlocked
    case tooManyAttempts(retryAfter: Int)
    case tooManyRequests(retryAfter: Int)
    case unauthenticated
    case notFound(what: String)
    case conflict(field: String)
    case weakPassword(reason: Reason)
    case passwordMismatch
    case incorrectCheckWord
    case tokenExpired
    case tokenUsed
    case invalidCode
    case codeExpired
    case notEnabled
    case passwordNotAllowed
    case unknownProvider
    case providerNotConfigured
    case invalidReturnTo
    case invalidState
    case providerError(String)
    case invalidIDToken(String)
    case identityTaken
    case emailTaken
    case phoneTaken
    case loginTaken
    case currentPasswordRequired
    case reauthenticationRequired
    case emailRequired
    case lastCredential

    /// The contract's error code.
    public var code: String {
        switch self {
        case .invalidRequest: "invalid_request"
        case .invalidCredentials: "invalid_credentials"
        case .accountBlocked: "account_blocked"
        case .tooManyAttempts: "too_many_attempts"
        case .tooManyRequests: "too_many_requests"
        case .unauthenticated: "unauthenticated"
        case .notFound: "not_found"
        case .conflict: "conflict"
        case .weakPassword: "weak_password"
        case .passwordMismatch: "password_mismatch"
        case .incorrectCheckWord: "incorrect_check_word"
        case .tokenExpired: "token_expired"
        case .tokenUsed: "token_used"
        case .invalidCode: "invalid_code"
        case .codeExpired: "code_expired"
        case .notEnabled: "not_enabled"
        case .passwordNotAllowed: "password_not_allowed"
        case .unknownProvider: "unknown_provider"
        case .providerNotConfigured: "provider_not_configured"
        case .invalidReturnTo: "invalid_return_to"
        case .invalidState: "invalid_state"
        case .providerError: "provider_error"
        case .invalidIDToken: "invalid_id_token"
        case .identityTaken: "identity_taken"
        case .emailTaken: "email_taken"
        case .phoneTaken: "phone_taken"
        case .loginTaken: "login_taken"
        case .currentPasswordRequired: "current_password_required"
        case .reauthenticationRequired: "reauthentication_required"
        case .emailRequired: "email_required"
        case .lastCredential: "last_credential"
        }
    }

    /// An English explanation for operators and the CLI; pages and JSON use the translated text.
    public var message: String {
        switch self {
        case .invalidRequest(let field, let reason):
            if let field { "Invalid field '\(field)': \(reason)" } else { "Invalid request: \(reason)" }
        case .invalidCredentials: "The login or password is incorrect."
        case .accountBlocked: "This account is blocked. Contact your administrator."
        case .tooManyAttempts(let s): "Too many attempts. Try again in \(s) seconds."
        case .tooManyRequests(let s): "Too many requests. Try again in \(s) seconds."
        case .unauthenticated: "You are not signed in."
        case .notFound(let what): "\(what) not found."
        case .conflict(let field): "Another account already has this \(field)."
        case .weakPassword(let reason): "The password is too weak: \(reason)"
        case .passwordMismatch: "The password and its confirmation differ."
        case .incorrectCheckWord: "Incorrect check word: this link is not the newest one. Use the link in the latest message."
        case .tokenExpired: "This link has expired. Ask for a new one."
        case .tokenUsed: "This link was already used."
        case .invalidCode: "The code is incorrect."
        case .codeExpired: "The code has expired. Ask for a new one."
        case .notEnabled: "This lookup is not enabled."
        case .passwordNotAllowed: "This account signs in only through its social providers."
        case .unknownProvider: "There is no such provider."
        case .providerNotConfigured: "Sign-in with this provider is not configured."
        case .invalidReturnTo: "The return address is not allowed."
        case .invalidState: "This sign-in attempt is unknown, expired or was started in another browser."
        case .providerError(let detail): "The provider refused or failed: \(detail)"
        case .invalidIDToken(let detail): "The provider's identity token is not valid: \(detail)"
        case .identityTaken: "This provider account is already linked to another account."
        case .emailTaken: "Another account already uses this email address."
        case .phoneTaken: "Another account already uses this phone number."
        case .loginTaken: "This login name is taken."
        case .currentPasswordRequired: "Give your current password to change it."
        case .reauthenticationRequired: "Sign in again to do this."
        case .emailRequired: "Attach and verify an email or phone first."
        case .lastCredential: "This is your last way to sign in; add another first."
        }
    }
}
