# エンドユーザー向けページ（日本語）。

## Every page

language-nav = 言語
link-valid-until = リンクの有効期限
datetime = { $year }年{ $month }{ $day }日 { $time } UTC
month-1 = 1月
month-2 = 2月
month-3 = 3月
month-4 = 4月
month-5 = 5月
month-6 = 6月
month-7 = 7月
month-8 = 8月
month-9 = 9月
month-10 = 10月
month-11 = 11月
month-12 = 12月

## The Connect page

connect-title = { $connector } を接続 · { $product }
connect-eyebrow = { $product } から接続の依頼が届いています
connect-heading = { $connector } を接続
connect-for = 対象
connect-environment = 環境
connect-service = サービス
connect-access = 要求されるアクセス
connect-access-default-oauth = プロバイダーが標準で許可する範囲
connect-access-default-credentials = この認証情報で許可される範囲
connect-continue = { $connector } へ進む
connect-submit = { $connector } を接続
connect-help-oauth = プロバイダーでサインインし、そこでアクセスを承認します。パスワードが当社に共有されることはありません。
connect-help-credentials = 認証情報はプロバイダーで確認され、暗号化して保存されます。
form-unreadable = フォームを読み取れませんでした。もう一度入力してください。
form-needs-attention = 入力内容を確認してください。

## Problems with one field of the credential form

field-missing = 「{ $label }」を入力してください。
field-too-long = 「{ $label }」が長すぎます。
field-bad-format = 「{ $label }」の形式が正しくありません。
field-control-character = 「{ $label }」に目に見えない制御文字が含まれています。もう一度貼り付けてください。
field-not-in-form = 「{ $name }」はこのフォームの項目ではありません。

## The choice between several connectors

chooser-title = 接続するサービスを選択 · { $product }
chooser-heading = 接続するサービスを選択

## The result pages

connected-heading = 接続しました
connected-message = { $connector } は { $product } に接続されました。
connected-close = このウィンドウは閉じてかまいません。
try-again = もう一度試す
support-intro = お困りの場合は { $product } にお問い合わせください：
support-page = ヘルプページ
brand-logo = { $product } のロゴ
failed-heading = 接続できませんでした
unusable-heading = このリンクは使用できません

## Why connecting did not go through

error-link-unavailable = このリンクは無効です。有効期限が切れたか、すでに使用されたか、取り消された可能性があります。
error-flow-unknown = このサインインの試行は無効になりました。リンクからもう一度始めてください。
error-wrong-browser = このサインインは別のブラウザーで開始されました。このブラウザーでリンクをもう一度開いてください。
error-denied = プロバイダーでアクセスが許可されませんでした。リンクからもう一度お試しください。
error-account-mismatch = この接続で使用しているアカウントとは別のアカウントでプロバイダーにサインインしました。そのアカウントでサインインしてリンクからもう一度お試しいただくか、新しいリンクを依頼してください。
error-internal = こちら側で問題が発生しました。もう一度お試しください。
error-credentials-rejected = プロバイダーはこの認証情報を受け付けませんでした。確認してもう一度お試しください。
error-check-failed = 認証情報を確認できませんでした（{ $detail }）。もう一度お試しください。
error-authorization = プロバイダーがエラーを報告しました（{ $detail }）。リンクからもう一度お試しください。
error-issuer-mismatch = 送信先とは別の認可サーバーから応答がありました。
error-no-code = プロバイダーから認可コードが送られてきませんでした。リンクからもう一度お試しください。
error-token-refused = プロバイダーがトークンの発行を拒否しました（{ $detail }）。リンクからもう一度お試しください。
error-unreachable = プロバイダーが時間内に応答しませんでした。もう一度お試しください。
error-unreadable = プロバイダーの応答を解釈できませんでした。もう一度お試しください。
error-refresh-refused = プロバイダーがアクセスを拒否しました。リンクからもう一度接続してください。
no-details = 詳細なし

## Too many requests from one address

too-many-heading = 試行回数が多すぎます
too-many-message = 短時間にお使いのネットワークから多くのリクエストがありました。{ $seconds } 秒待ってから、もう一度リンクを開いてください。

## The built-in demo provider's consent screen

consent-title = { $client } を承認 · { $provider }
consent-heading = { $client } を承認
consent-intro = { $client } があなたのアカウント { $account } へのアクセスを求めています。
consent-asks-for = 要求されている内容
consent-basic-access = アカウントへの基本的なアクセス。
consent-allow = 許可
consent-deny = 拒否
consent-demo-note = これは Authlink に組み込まれたデモ用プロバイダーで、実際のデータはありません。

## The e-mail that carries a link, and the reminder a day before it expires

email-link-subject = { $product }：{ $connector } の接続のお願い
email-greeting = こんにちは。
email-link-intro = { $product } から、{ $tenant } のために { $connector } を接続するよう依頼が届いています。次のリンクを開いてください。
email-link-valid-until = このリンクの有効期限は { $expires } です。
email-reminder-subject = リマインダー：{ $product } のために { $connector } を接続してください
email-reminder-intro = { $tenant } のために { $connector } を接続するリンクは { $expires } に期限切れになります。リンクを開いて接続を完了してください。
email-note = { $product } からのメッセージ：
email-footer = このメールは、{ $product } の担当者があなたにこのリンクを送信したためにお送りしています。心当たりがない場合は、このメールを無視してください。
