import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { HttpProblem, ProblemTypes, Public, TokenMint, type PartnerPrincipal, type HeaderResponse } from '@crm/service-kit';
import { verifyAgainstDecoy, verifyClientSecret } from '../credentials/credential-secrets';
import { PartnerCredentials } from '../credentials/partner-credentials';
import { TokenRequestDto, TokenResponseDto } from './token.dto';

const TOKEN_LIFETIME_SECONDS = 3600;

/**
 * Partner authentication: a partner organisation exchanges its client credential for a bearer
 * token (1 hour) that names the organisation — `{ kind: 'partner', subject: <clientId>, partnerId }`.
 * An unknown client id, a wrong secret and a revoked credential all answer the same 401.
 */
@ApiTags('auth')
@Controller('auth')
export class TokenController {
  constructor(
    private readonly credentials: PartnerCredentials,
    private readonly mint: TokenMint,
  ) {}

  @Public()
  @Post('token')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ description: 'Unknown client, wrong secret or revoked credential (problem+json, error "invalid_client")' })
  async token(@Body() dto: TokenRequestDto, @Res({ passthrough: true }) res: HeaderResponse): Promise<TokenResponseDto> {
    const clientId = dto.clientId ?? dto.client_id;
    const clientSecret = dto.clientSecret ?? dto.client_secret;
    if (clientId === undefined || clientSecret === undefined) {
      const errors = [
        ...(clientId === undefined ? [{ field: 'clientId', message: 'clientId (or client_id) is required' }] : []),
        ...(clientSecret === undefined ? [{ field: 'clientSecret', message: 'clientSecret (or client_secret) is required' }] : []),
      ];
      throw new HttpProblem(400, `the request is invalid: ${errors.map((e) => e.field).join(', ')}`, {
        type: ProblemTypes.validation,
        errors,
        extensions: { error: 'invalid_request' },
      });
    }

    const credential = await this.credentials.findActive(clientId);
    const valid = credential ? await verifyClientSecret(clientSecret, credential.secretHash) : await verifyAgainstDecoy(clientSecret);
    if (!credential || !valid) {
      throw new HttpProblem(401, 'the client credentials are not valid', {
        type: ProblemTypes.unauthorized,
        headers: { 'WWW-Authenticate': 'Basic realm="crm-partner-portal"' },
        extensions: { error: 'invalid_client' },
      });
    }

    const principal: PartnerPrincipal = { kind: 'partner', subject: credential.clientId, partnerId: credential.partnerId, roles: ['partner'] };
    const accessToken = await this.mint.mint(principal, { expiresIn: TOKEN_LIFETIME_SECONDS });
    res.setHeader('Cache-Control', 'no-store');
    return { access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS };
  }
}
