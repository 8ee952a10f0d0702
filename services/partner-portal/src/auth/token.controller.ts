import { Body, Controller, Headers, HttpCode, Inject, Ip, Logger, Post, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBody, ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import {
  ApiProblem,
  RETRY_AFTER_HEADER,
  CLOCK,
  HttpProblem,
  ProblemTypes,
  Public,
  SERVICE_CONFIG,
  TokenMint,
  type HeaderResponse,
  type PartnerPrincipal,
  type ServiceConfig,
} from '@crm/service-kit';
import { verifyAgainstDecoy, verifyClientSecret } from '../credentials/credential-secrets';
import { PartnerCredentials } from '../credentials/partner-credentials';
import { clientAuthentication, oauthProblem } from './client-authentication';
import { FailedAttemptLimiter } from './failed-attempts';
import { TokenRequestDto, TokenResponseDto } from './token.dto';

const TOKEN_LIFETIME_SECONDS = 3600;
const REALM = 'Basic realm="crm-partner-portal", charset="UTF-8"';

/**
 * Partner authentication, the OAuth 2.0 client credentials grant (RFC 6749 §4.4): a partner
 * organisation exchanges its client credential for a bearer token (1 hour) that names the
 * organisation — `{ kind: 'partner', subject: <clientId>, partnerId }`. The client authenticates
 * with HTTP Basic (`client_secret_basic`) or in the body (`client_secret_post`, JSON or form).
 * An unknown client id, a wrong secret and a revoked credential all answer the same 401. Failed
 * attempts are counted per client id and per address: past the limit, 429 with `Retry-After`
 * before the secret is even checked. Every failure is logged with client id and address (never the secret).
 */
@ApiTags('auth')
@Controller('auth')
export class TokenController {
  private readonly logger = new Logger('PartnerToken');
  private readonly limiter: FailedAttemptLimiter;

  constructor(
    private readonly credentials: PartnerCredentials,
    private readonly mint: TokenMint,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.limiter = new FailedAttemptLimiter(
      {
        perClient: config.CRM_PARTNER_TOKEN_FAILURES_PER_CLIENT,
        perAddress: config.CRM_PARTNER_TOKEN_FAILURES_PER_ADDRESS,
        windowMs: config.CRM_PARTNER_TOKEN_FAILURE_WINDOW_MS,
      },
      clock,
    );
  }

  @Public()
  @Post('token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a client credential for a partner token (OAuth 2.0 client credentials)',
    description:
      'The client authenticates with HTTP Basic (`client_secret_basic`: base64 of the form-urlencoded `client_id:client_secret`) or in the body (`client_secret_post`), never both. ' +
      'The body is `application/x-www-form-urlencoded` (OAuth) or JSON; `grant_type`, when given, must be `client_credentials`.',
  })
  @ApiBasicAuth()
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiHeader({ name: 'authorization', required: false, description: '`Basic base64(urlencode(client_id) ":" urlencode(client_secret))` (client_secret_basic)' })
  @ApiBody({
    type: TokenRequestDto,
    examples: {
      post: { summary: 'client_secret_post', value: { grant_type: 'client_credentials', client_id: '7d0c….Xb3k', client_secret: 'q9…' } },
      basic: { summary: 'client_secret_basic (credentials in the Authorization header)', value: { grant_type: 'client_credentials' } },
    },
  })
  @ApiOkResponse({
    type: TokenResponseDto,
    description: 'A bearer token; `Cache-Control: no-store`',
    schema: { example: { access_token: 'eyJhbGciOiJIUzI1NiJ9…', token_type: 'Bearer', expires_in: 3600 } },
  })
  @ApiProblem(
    400,
    'invalid_request (missing or doubled client authentication, a malformed Basic header) or unsupported_grant_type; `error` names it, `errors` the field',
    {
      error: 'invalid_request',
      errors: [{ field: 'authorization', message: 'use one client authentication method: the Authorization header or client_secret in the body, not both' }],
    },
  )
  @ApiProblem(
    401,
    'invalid_client: unknown client, wrong secret or revoked credential (one answer for all); `WWW-Authenticate: Basic`',
    { error: 'invalid_client' },
    { 'WWW-Authenticate': { description: 'The Basic challenge', schema: { type: 'string', example: 'Basic realm="crm-partner-portal"' } } },
  )
  @ApiProblem(415, 'Unsupported Media Type: a body that is neither form-encoded nor JSON')
  @ApiProblem(
    429,
    'Too many failed attempts for this client id or from this address; `Retry-After` says when to try again',
    { error: 'slow_down' },
    RETRY_AFTER_HEADER,
  )
  async token(
    @Body() dto: TokenRequestDto,
    @Headers('authorization') authorization: string | undefined,
    @Ip() address: string,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<TokenResponseDto> {
    if (dto.grant_type !== undefined && dto.grant_type !== 'client_credentials')
      throw oauthProblem(400, 'unsupported_grant_type', 'grant_type must be client_credentials', 'grant_type');
    const client = clientAuthentication(authorization, dto);

    const wait = this.limiter.retryAfterSeconds(client.clientId, address);
    if (wait > 0) {
      this.logger.warn(`token request refused (too many failures): client ${client.clientId}, address ${address}, retry after ${wait} s`);
      throw new HttpProblem(429, 'too many failed attempts: try again later', {
        type: ProblemTypes.tooManyRequests,
        headers: { 'Retry-After': String(wait) },
        extensions: { error: 'slow_down' },
      });
    }

    const credential = await this.credentials.findActive(client.clientId);
    const valid = credential ? await verifyClientSecret(client.clientSecret, credential.secretHash) : await verifyAgainstDecoy(client.clientSecret);
    if (!credential || !valid) {
      this.limiter.failed(client.clientId, address);
      this.logger.warn(`token request failed: client ${client.clientId} (${client.method}), address ${address}`);
      throw new HttpProblem(401, 'the client credentials are not valid', {
        type: ProblemTypes.unauthorized,
        headers: { 'WWW-Authenticate': REALM },
        extensions: { error: 'invalid_client' },
      });
    }
    this.limiter.succeeded(client.clientId);

    // A user's credential names the user and carries its role as it is now (issue 14 §1); what the
    // user may do is judged again on every request from the partner aggregate (a changed role holds at once).
    const user = credential.user;
    const principal: PartnerPrincipal = {
      kind: 'partner',
      subject: credential.clientId,
      partnerId: credential.partnerId,
      roles: user ? ['partner', ...(user.role ? [`partner-${user.role}`] : [])] : ['partner'],
      ...(user && { userId: user.userId }),
    };
    const accessToken = await this.mint.mint(principal, { expiresIn: TOKEN_LIFETIME_SECONDS });
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    return { access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS };
  }
}
