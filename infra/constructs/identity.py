"""OAuth2 for machine clients, the AWS way: a Cognito user pool whose domain serves the token endpoint
(``POST <domain>/oauth2/token``, client credentials grant), a resource server ``examdesk`` with one scope per
right (``examdesk/course:view`` ...), and app clients: one per OAuth credential, made, given a second secret
(rotation) and deleted (revocation) by the credential routes through the Cognito API
(functions/data/cognito_clients.py), and a scheduled sweep ends overlap windows there
(functions/jobs/close_overlaps.py). Every route verifies the pool's access tokens by its JWKS
(functions/platform/auth.py, ``auth_environment``); the local runner plays the same part with its own keys
(infra/local/oauth.py).
See docs/credentials.md.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from constructs import Construct

from functions.core.credentials import RESOURCE_SERVER
from functions.core.rights import ALL_RIGHTS
from functions.platform import settings
from infra.config import DeployConfig
from infra.constructs.code_assets import CodeAssets
from infra.constructs.dead_letters import acknowledge_invoke_config, dead_letter_queue, fail_into
from infra.constructs.function import ExamdeskFunction
from infra.constructs.nag import acknowledge
from infra.constructs.permissions import make_role, needs_of

# What the credential routes do to app clients; nothing else, on this pool only.
CLIENT_ACTIONS = (
    "cognito-idp:CreateUserPoolClient",
    "cognito-idp:DeleteUserPoolClient",
    "cognito-idp:AddUserPoolClientSecret",
    "cognito-idp:DeleteUserPoolClientSecret",
    "cognito-idp:ListUserPoolClientSecrets",
)
CREDENTIAL_ROUTES = ("create_credential", "rotate_credential", "revoke_credential")  # the routes that call them
DOMAIN_PREFIX_CONTEXT = "examdesk:cognitoDomainPrefix"
SWEEP = "close-overlaps"  # its function name and its entry in infra/dynamodb_actions.json
SWEEP_HANDLER = "functions.jobs.close_overlaps.lambda_handler"
SWEEP_MINUTES = 5


class Identity(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, table: dynamodb.Table, assets: CodeAssets,
                 config: DeployConfig, actions: dict[str, frozenset[str]]) -> None:
        super().__init__(scope, construct_id)
        # Machine clients only: nobody signs up or signs in, so the pool holds no user (and no personal data).
        self.user_pool = cognito.UserPool(
            self, "UserPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(min_length=16, require_digits=True, require_lowercase=True,
                                                   require_uppercase=True, require_symbols=True),
            account_recovery=cognito.AccountRecovery.NONE,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,  # app clients (integrators' credentials) outlive a stack update
        )
        self.resource_server = self.user_pool.add_resource_server(
            "ResourceServer", identifier=RESOURCE_SERVER, user_pool_resource_server_name="examdesk API",
            scopes=[cognito.ResourceServerScope(scope_name=right.value, scope_description=f"the {right.value} right")
                    for right in ALL_RIGHTS],
        )
        # Prefixes are global per region: the stack's own UUID unless the deployer names one.
        prefix = self.node.try_get_context(DOMAIN_PREFIX_CONTEXT) or Fn.join(
            "-", ["examdesk", Fn.select(2, Fn.split("/", Stack.of(self).stack_id))])
        self.domain = self.user_pool.add_domain(
            "Domain", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=prefix))
        self.token_url = self.domain.base_url() + "/oauth2/token"
        self.issuer = self.user_pool.user_pool_provider_url  # https://cognito-idp.<region>.amazonaws.com/<pool id>
        for rule in ("AwsSolutions-COG3", "AwsSolutions-COG8"):
            acknowledge(self.user_pool, rule,
                        "No user ever signs in (machine clients only, client credentials grant): threat protection "
                        "for sign-ins and passwords (the Plus feature plan) would protect nothing here.")
        CfnOutput(self, "TokenUrl", value=self.token_url, description="OAuth2 token URL for machine clients")
        CfnOutput(self, "ClientTokenIssuer", value=self.issuer)
        self.client_statement = iam.PolicyStatement(actions=list(CLIENT_ACTIONS),
                                                    resources=[self.user_pool.user_pool_arn])
        # Cognito's token endpoint knows no overlap windows: the sweep deletes an app client's old secret once
        # its window has ended (within SWEEP_MINUTES), and clears the old hash in the table.
        # The credential routes' roles get the same statement (infra/constructs/permissions.py, Needs.cognito).
        self.client_environment = {settings.USER_POOL_ID: self.user_pool.user_pool_id}
        role = make_role(self, "SweepRole", needs=needs_of(SWEEP, actions, cognito=True), table=table,
                         config=config, description="examdesk credential sweep", cognito=self.client_statement)
        self.dead_letters = dead_letter_queue(self, "SweepDeadLetters", "credential sweep")
        sweep = ExamdeskFunction(
            self, "Sweep", name=SWEEP, handler=SWEEP_HANDLER,
            description=f"Ends passed credential overlap windows (every {SWEEP_MINUTES} minutes)",
            role=role, assets=assets, table=table, config=config,
            environment=self.client_environment,
            timeout=Duration.minutes(1),
            synchronous=False,
        )
        self.sweep, self.sweep_timeout = sweep.function, sweep.timeout
        every = Duration.minutes(SWEEP_MINUTES)
        fail_into(self.sweep, self.dead_letters, every=every, what="credential sweep")
        schedule = events.Rule(self, "SweepSchedule", description="End passed examdesk credential overlap windows",
                               schedule=events.Schedule.rate(every),
                               targets=[targets.LambdaFunction(self.sweep, retry_attempts=2, max_event_age=every,
                                                               dead_letter_queue=self.dead_letters)])
        acknowledge_invoke_config(schedule, "credential sweep")
        # What every route needs to verify this pool's access tokens (functions/platform/auth.py).
        self.token_environment = {settings.CLIENT_ISSUER: self.issuer}
