<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccountsTab</name>
    <message>
        <location filename="../../rm_desk/views/customer360/accounts.py" line="+71"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Number</source>
        <translation>账号</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+22"/>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <location line="-21"/>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Available</source>
        <translation>可用余额</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rate</source>
        <translation>利率</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Maturity / next payment</source>
        <translation>到期日 / 下次还款日</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+37"/>
        <source>As of</source>
        <translation>数据日期</translation>
    </message>
    <message>
        <location line="-25"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Product risk</source>
        <translation>产品风险等级</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Suitability</source>
        <translation>适当性</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Market value</source>
        <translation>市值</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cost</source>
        <translation>成本</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Maturity / next open</source>
        <translation>到期日 / 下一开放日</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+14"/>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <location line="-12"/>
        <location line="+16"/>
        <source>Holdings</source>
        <translation>持仓</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>account number</source>
        <translation>账号</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+52"/>
        <source>Select an account to reveal its number.</source>
        <translation>请选择一个账户以查看其完整账号。</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>Accounts &amp; holdings</source>
        <translation>账户与持仓</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>not assessed</source>
        <translation>未评估</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Customer risk level: {level}. Marks check each product against it.</source>
        <translation>客户风险等级：{level}。适当性标记按此等级逐一检查产品。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{date}: {amount}</source>
        <translation>{date}：{amount}</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>✓ Suitable</source>
        <translation>✓ 适当</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>✗ {reason}</source>
        <translation>✗ {reason}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The product is not in the cache.</source>
        <translation>本机缓存中没有该产品。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Customer {customer} · product {product}</source>
        <translation>客户 {customer} · 产品 {product}</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>{type} account number:</source>
        <translation>{type}账号：</translation>
    </message>
</context>
<context>
    <name>AmountBox</name>
    <message>
        <location filename="../../rm_desk/views/customer_filters.py" line="+172"/>
        <source> 万</source>
        <translation> 万</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> k</source>
        <translation> 千</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Any</source>
        <translation>不限</translation>
    </message>
</context>
<context>
    <name>AumTrendChart</name>
    <message>
        <location filename="../../rm_desk/views/aum_trend.py" line="+50"/>
        <source>AUM trend, last 13 months</source>
        <translation>AUM走势（近13个月）</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>AUM, month end</source>
        <translation>AUM（月末）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Target</source>
        <translation>目标</translation>
    </message>
</context>
<context>
    <name>ChartsScreen</name>
    <message>
        <location filename="../../rm_desk/views/charts.py" line="+102"/>
        <source>Show the KPIs of</source>
        <translation>查看业绩指标：</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>AUM trend, last 13 months</source>
        <translation>AUM走势（近13个月）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Export PNG…</source>
        <translation>导出PNG…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export the AUM trend as a PNG image</source>
        <translation>将AUM走势导出为PNG图片</translation>
    </message>
    <message>
        <location line="+19"/>
        <location line="+18"/>
        <source>Team leaderboard</source>
        <translation>团队排行榜</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Leaderboard metric</source>
        <translation>排行指标</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Click an RM to show their KPIs and trend</source>
        <translation>点击客户经理查看其业绩指标和走势</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Charts</source>
        <translation>业绩图表</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Team: {team}</source>
        <translation>团队：{team}</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>No KPI figures on this computer yet</source>
        <translation>本机暂无业绩数据</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>As of {day}</source>
        <translation>数据截至{day}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>AUM trend, last 13 months — {subject}</source>
        <translation>AUM走势（近13个月）— {subject}</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{metric}, {month}. Branch rank: place among all RMs of the branch.</source>
        <translation>{metric}，{month}。分行排名：在本分行全部客户经理中的名次。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No figures for this metric yet</source>
        <translation>该指标暂无数据</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Export chart</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>PNG images (*.png)</source>
        <translation>PNG图片 (*.png)</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Exported to {file}</source>
        <translation>已导出到 {file}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Chart not exported</source>
        <translation>图表未导出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The image could not be written there. Choose another folder and try again.</source>
        <translation>无法在该位置写入图片。请选择其他文件夹后重试。</translation>
    </message>
</context>
<context>
    <name>Customer360View</name>
    <message>
        <location filename="../../rm_desk/views/customer360/view.py" line="+86"/>
        <source>Choose a customer to see their 360 view.</source>
        <translation>请选择客户以查看其客户视图。</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Customer 360</source>
        <translation>客户视图</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name} · Customer 360</source>
        <translation>{name} · 客户视图</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>This customer is no longer in your book.</source>
        <translation>该客户已不在您的管户范围内。</translation>
    </message>
</context>
<context>
    <name>CustomerFilterBar</name>
    <message>
        <location filename="../../rm_desk/views/customer_filters.py" line="-109"/>
        <source>Save filter</source>
        <translation>保存筛选条件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name of this filter:</source>
        <translation>筛选条件名称：</translation>
    </message>
    <message>
        <location line="+146"/>
        <source>Any tier</source>
        <translation>全部等级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tier: {value}</source>
        <translation>客户等级：{value}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tiers: {count}</source>
        <translation>客户等级：{count}项</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Filter by tier</source>
        <translation>按客户等级筛选</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Any risk level</source>
        <translation>全部风险等级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Risk: {value}</source>
        <translation>风险等级：{value}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Risk levels: {count}</source>
        <translation>风险等级：{count}项</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Filter by risk level</source>
        <translation>按风险等级筛选</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Any tag</source>
        <translation>全部标签</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tag: {value}</source>
        <translation>标签：{value}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tags: {count}</source>
        <translation>标签：{count}个</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Filter by tag</source>
        <translation>按标签筛选</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Any RM</source>
        <translation>全部客户经理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RM: {value}</source>
        <translation>客户经理：{value}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RMs: {count}</source>
        <translation>客户经理：{count}位</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Filter by RM</source>
        <translation>按客户经理筛选</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Lowest AUM</source>
        <translation>AUM下限</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Highest AUM</source>
        <translation>AUM上限</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show every customer</source>
        <translation>显示全部客户</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+1"/>
        <source>Saved filters</source>
        <translation>已保存的筛选</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save filter…</source>
        <translation>保存筛选条件…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the chosen saved filter</source>
        <translation>删除所选的已保存筛选</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>AUM from</source>
        <translation>AUM 从</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>to</source>
        <translation>至</translation>
    </message>
</context>
<context>
    <name>CustomerHeader</name>
    <message>
        <location filename="../../rm_desk/views/customer360/header.py" line="+67"/>
        <source>⚠ Tier watch</source>
        <translation>⚠ 等级观察</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>AUM is near or below the tier&apos;s floor; the tier may be lowered.</source>
        <translation>AUM已接近或低于该等级下限，客户等级可能下调。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Log visit…</source>
        <translation>记录拜访…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Log a visit with this customer</source>
        <translation>记录与该客户的拜访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log a visit, with a follow-up task (Ctrl+L)</source>
        <translation>记录拜访并添加跟进待办（Ctrl+L）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>ID number</source>
        <translation>证件号</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID</source>
        <translation>证件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Open alerts: {count}</source>
        <translation>未处理提醒：{count} 条</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>RM: {name}</source>
        <translation>客户经理：{name}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Risk: not assessed</source>
        <translation>风险等级：未评估</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No investment products may be sold until assessed.</source>
        <translation>完成风险评估前不得销售任何投资产品。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Risk {level} · expired {date}</source>
        <translation>风险等级 {level} · 已于{date}过期</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The assessment is over a year old; investment sales are blocked.</source>
        <translation>风险评估已超过一年，投资产品销售已暂停。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Risk {level} · valid until {date}</source>
        <translation>风险等级 {level} · 有效期至{date}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Assessed on {date}</source>
        <translation>评估日期：{date}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Never synced</source>
        <translation>从未同步</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Synced {age}</source>
        <translation>{age}同步</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Balances as of {date} · synced {age}</source>
        <translation>余额数据截至{date} · {age}同步</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Last successful sync: {time}</source>
        <translation>上次成功同步：{time}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Your tag</source>
        <translation>我的标签</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Tag from the bank</source>
        <translation>银行标签</translation>
    </message>
</context>
<context>
    <name>CustomerLabels</name>
    <message>
        <location filename="../../rm_desk/views/customer360/labels.py" line="+39"/>
        <source>Standard</source>
        <translation>普通客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Gold</source>
        <translation>金卡客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Platinum</source>
        <translation>白金客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Diamond</source>
        <translation>钻石客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Private banking</source>
        <translation>私人银行客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Current</source>
        <translation>活期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time deposit</source>
        <translation>定期存款</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+10"/>
        <source>Wealth management</source>
        <translation>理财</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Fund</source>
        <translation>基金</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+10"/>
        <source>Insurance</source>
        <translation>保险</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Loan</source>
        <translation>贷款</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Credit card</source>
        <translation>信用卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Active</source>
        <translation>正常</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dormant</source>
        <translation>睡眠</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Frozen</source>
        <translation>冻结</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Closed</source>
        <translation>已销户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deposits</source>
        <translation>存款</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Funds</source>
        <translation>基金</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Government bonds</source>
        <translation>国债</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Precious metals</source>
        <translation>贵金属</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loans</source>
        <translation>贷款</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transfer</source>
        <translation>转账</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subscription</source>
        <translation>申购</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Redemption</source>
        <translation>赎回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Maturity</source>
        <translation>到期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repayment</source>
        <translation>还款</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Counter</source>
        <translation>柜面</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mobile banking</source>
        <translation>手机银行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Online banking</source>
        <translation>网上银行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ATM</source>
        <translation>ATM</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+5"/>
        <location line="+10"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>Head of household</source>
        <translation>户主</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+4"/>
        <source>Spouse</source>
        <translation>配偶</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Child</source>
        <translation>子女</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Parent</source>
        <translation>父母</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Parent of</source>
        <translation>为其父母</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Child of</source>
        <translation>为其子女</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Legal representative</source>
        <translation>法定代表人</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Actual controller</source>
        <translation>实际控制人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Referrer</source>
        <translation>推荐人</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Verified by the bank</source>
        <translation>银行已核实</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Proposed</source>
        <translation>待核实</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>On-site visit</source>
        <translation>上门拜访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Branch visit</source>
        <translation>网点面谈</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone call</source>
        <translation>电话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>WeChat</source>
        <translation>微信</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Video call</source>
        <translation>视频通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Event</source>
        <translation>活动</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Maturity renewal</source>
        <translation>到期续作</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Portfolio review</source>
        <translation>资产检视</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer care</source>
        <translation>客户关怀</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Product recommendation</source>
        <translation>产品推荐</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Complaint handling</source>
        <translation>投诉处理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Post-loan check</source>
        <translation>贷后检查</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Credit renewal</source>
        <translation>授信续作</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Positive</source>
        <translation>积极</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Neutral</source>
        <translation>一般</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Negative</source>
        <translation>消极</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Follow-up needed</source>
        <translation>需跟进</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Normal</source>
        <translation>普通</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not started</source>
        <translation>未开始</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lead</source>
        <translation>线索</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Contacted</source>
        <translation>已接触</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Needs confirmed</source>
        <translation>需求确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recommended</source>
        <translation>已推荐</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Closing</source>
        <translation>待成交</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Won</source>
        <translation>成交</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lost</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New</source>
        <translation>新提醒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Converted to a task</source>
        <translation>已转为待办</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dismissed</source>
        <translation>已忽略</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Risk assessment missing</source>
        <translation>缺少风险评估</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Risk assessment expired</source>
        <translation>风险评估已过期</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Product risk above the customer&apos;s level</source>
        <translation>产品风险等级高于客户风险等级</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>For qualified investors only</source>
        <translation>仅限合格投资者</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Customer aged 65+</source>
        <translation>客户年满65岁</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Dual recording needed in branch</source>
        <translation>须在网点双录</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>First purchase of this category: in-branch assessment</source>
        <translation>首次购买该类产品：须在网点评估</translation>
    </message>
    <message>
        <location filename="../../rm_desk/views/customer_table.py" line="+98"/>
        <source>C1 Conservative</source>
        <translation>C1 保守型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C2 Cautious</source>
        <translation>C2 稳健型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C3 Balanced</source>
        <translation>C3 平衡型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C4 Growth</source>
        <translation>C4 成长型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C5 Aggressive</source>
        <translation>C5 进取型</translation>
    </message>
</context>
<context>
    <name>CustomerPicker</name>
    <message>
        <location filename="../../rm_desk/views/visit_form.py" line="+241"/>
        <source>Find the customer: name, pinyin, last 4 digits…</source>
        <translation>查找客户：姓名、拼音、后4位…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
</context>
<context>
    <name>CustomerTab</name>
    <message>
        <location filename="../../rm_desk/views/customer360/tab.py" line="+16"/>
        <source>{text} · not synced yet</source>
        <translation>{text} · 待同步</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Saved on this computer; it is sent to the bank at the next sync.</source>
        <translation>已保存在本机，下次同步时发送到银行。</translation>
    </message>
</context>
<context>
    <name>CustomerTableModel</name>
    <message>
        <location filename="../../rm_desk/views/customer_table.py" line="+213"/>
        <source>On tier watch: the tier may change at the next review.</source>
        <translation>等级观察中：下次评级时客户等级可能调整。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The review is overdue.</source>
        <translation>评级复核已逾期。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tier</source>
        <translation>客户等级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Risk level</source>
        <translation>风险等级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AUM</source>
        <translation>AUM</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RM</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last contact</source>
        <translation>最近联系</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next review</source>
        <translation>下次复核</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
</context>
<context>
    <name>CustomersScreen</name>
    <message>
        <location filename="../../rm_desk/views/customers.py" line="+65"/>
        <source>Export customers</source>
        <translation>导出客户</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV文件 (*.csv)</translation>
    </message>
    <message>
        <location line="+29"/>
        <location line="+58"/>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="-34"/>
        <source>Export CSV…</source>
        <translation>导出CSV…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Save every customer matching the filters to a CSV file.</source>
        <translation>将符合筛选条件的全部客户保存为CSV文件。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Exporting customer lists needs the export permission, which your account does not have. Ask your team lead.</source>
        <translation>导出客户名单需要导出权限，您的账号没有该权限。请联系团队长。</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>No customers match these filters.</source>
        <translation>没有符合筛选条件的客户。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Customers: {count}</source>
        <translation>客户：{count}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{title}: {message}</source>
        <translation>{title}：{message}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>customers-{stamp}.csv</source>
        <translation>客户名单-{stamp}.csv</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Exported 1 customer to {file}.</source>
        <translation>已将 1 位客户导出到 {file}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exported {count} customers to {file}.</source>
        <translation>已将 {count} 位客户导出到 {file}。</translation>
    </message>
</context>
<context>
    <name>ErrorBanner</name>
    <message>
        <location filename="../../rm_desk/views/error_banner.py" line="+34"/>
        <source>Close the message</source>
        <translation>关闭提示</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{title}: {message}</source>
        <translation>{title}：{message}</translation>
    </message>
</context>
<context>
    <name>HouseholdTab</name>
    <message>
        <location filename="../../rm_desk/views/customer360/household.py" line="+71"/>
        <source>Not in your book</source>
        <translation>不在您的管户范围内</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+18"/>
        <source>Open this customer</source>
        <translation>打开该客户</translation>
    </message>
    <message>
        <location line="-15"/>
        <source>Role</source>
        <translation>家庭角色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Minor</source>
        <translation>未成年</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer id</source>
        <translation>客户编号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>This customer</source>
        <translation>本客户</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Relationship</source>
        <translation>关系</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>With</source>
        <translation>对方</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This customer → them</source>
        <translation>本客户 → 对方</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Them → this customer</source>
        <translation>对方 → 本客户</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Household members</source>
        <translation>家庭成员</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+8"/>
        <source>Relationships</source>
        <translation>关联关系</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Household</source>
        <translation>家庭</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Click a customer of your book to open their 360 view.</source>
        <translation>点击您管户范围内的客户，打开其客户视图。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Household &amp; relationships</source>
        <translation>家庭与关联关系</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Not part of a household on file.</source>
        <translation>档案中未登记家庭信息。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Household: {name}</source>
        <translation>家庭：{name}</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Household registry</source>
        <translation>家庭档案</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Proposed by an RM</source>
        <translation>客户经理提议</translation>
    </message>
</context>
<context>
    <name>InteractionsTab</name>
    <message>
        <location filename="../../rm_desk/views/customer360/interactions.py" line="+62"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>How</source>
        <translation>方式</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>By</source>
        <translation>记录人</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Notes</source>
        <translation>纪要</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>All interactions</source>
        <translation>全部互动</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Meetings and events</source>
        <translation>面谈与活动</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calls and messages</source>
        <translation>电话与消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Complaints</source>
        <translation>投诉</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+18"/>
        <source>Interactions</source>
        <translation>互动记录</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{shown} of 1 interaction</source>
        <translation>显示 {shown} / 共 1 条互动</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{shown} of {total} interactions</source>
        <translation>显示 {shown} / 共 {total} 条互动</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{notes}
Next steps: {steps}</source>
        <translation>{notes}
下一步：{steps}</translation>
    </message>
</context>
<context>
    <name>KpiMetric</name>
    <message>
        <location filename="../../rm_desk/views/kpi_labels.py" line="+20"/>
        <source>AUM</source>
        <translation>管理资产规模(AUM)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AUM, month-to-date average</source>
        <translation>AUM月日均</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Net new AUM</source>
        <translation>AUM净增</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New customers</source>
        <translation>新增客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tier upgrades</source>
        <translation>客户升级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tier downgrades</source>
        <translation>客户降级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New opportunities</source>
        <translation>新增商机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Opportunities won</source>
        <translation>成交商机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Visits</source>
        <translation>拜访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Key-customer coverage (30 days)</source>
        <translation>重点客户覆盖率（30天）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open tasks</source>
        <translation>未完成待办</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Overdue rate</source>
        <translation>逾期率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer satisfaction</source>
        <translation>客户满意度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>NPS</source>
        <translation>净推荐值(NPS)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Complaint rate</source>
        <translation>投诉率</translation>
    </message>
</context>
<context>
    <name>KpiTile</name>
    <message>
        <location filename="../../rm_desk/views/kpi_tiles.py" line="+72"/>
        <source>{points} pts</source>
        <translation>{points} 分</translation>
    </message>
    <message>
        <location line="+110"/>
        <source>Same as last month</source>
        <translation>与上月持平</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{arrow} {change} vs last month</source>
        <translation>{arrow} 较上月 {change}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{metric}: the last {count} months</source>
        <translation>{metric}：近 {count} 个月</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No target</source>
        <translation>未设目标</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Target: at most {target}</source>
        <translation>目标：不超过 {target}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Target: {target}</source>
        <translation>目标：{target}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Target: {target} ({reached} reached)</source>
        <translation>目标：{target}（完成 {reached}）</translation>
    </message>
</context>
<context>
    <name>LeaderboardModel</name>
    <message>
        <location filename="../../rm_desk/views/leaderboard.py" line="+74"/>
        <source>Within target</source>
        <translation>达标</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Over target</source>
        <translation>超出目标</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{rank} ({arrow}{places})</source>
        <translation>{rank}（{arrow}{places}）</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RM</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>vs target</source>
        <translation>目标完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Branch rank</source>
        <translation>分行排名</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../rm_desk/views/main_window.py" line="+58"/>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tasks</source>
        <translation>待办</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Visits</source>
        <translation>拜访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Opportunities</source>
        <translation>商机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Charts</source>
        <translation>业绩图表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync issues</source>
        <translation>同步问题</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>RM Desk</source>
        <translation>RM Desk</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Search customers</source>
        <translation>搜索客户</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>User menu</source>
        <translation>用户菜单</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Team lead</source>
        <translation>团队长</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Relationship manager</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{user} · {role}</source>
        <translation>{user} · {role}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Navigation</source>
        <translation>导航</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>{screen} — RM Desk</source>
        <translation>{screen} — RM Desk</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>← Back</source>
        <translation>← 返回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>This customer is not in your book on this computer.</source>
        <translation>本机上没有该客户，或其不在您的管户范围内。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{customer} — Customer 360 — RM Desk</source>
        <translation>{customer} — 客户视图 — RM Desk</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Visit and follow-up task saved; they are sent to the bank at the next sync.</source>
        <translation>拜访记录和跟进待办已保存，下次同步时发送到银行。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Visit saved; it is sent to the bank at the next sync.</source>
        <translation>拜访记录已保存，下次同步时发送到银行。</translation>
    </message>
</context>
<context>
    <name>MaskedValue</name>
    <message>
        <location filename="../../rm_desk/views/reveal.py" line="+184"/>
        <location line="+55"/>
        <source>Reveal</source>
        <translation>查看明文</translation>
    </message>
    <message>
        <location line="-52"/>
        <source>Reveal {field}</source>
        <translation>查看{field}明文</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="+68"/>
        <source>Reveal needs a connection</source>
        <translation>查看明文需要联网</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Full values are fetched from the bank&apos;s server for each reveal, and RM Desk is offline now. The masked value stays; try again when connected.</source>
        <translation>每次查看明文都要从银行服务器获取完整信息，而 RM Desk 当前处于离线状态。仍显示脱敏值，请联网后重试。</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Reveal failed</source>
        <translation>查看明文失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The full value could not be fetched. Please try again later.</source>
        <translation>无法获取完整信息，请稍后重试。</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>You do not have the permission to reveal personal data (pii.reveal). Ask your team lead if you need it.</source>
        <translation>您没有查看客户敏感信息的权限（pii.reveal）。如确有需要，请联系团队长。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>There is no value on file to reveal.</source>
        <translation>档案中没有可查看的信息。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show the full value for 30 seconds; asks for a reason and is audited.</source>
        <translation>显示完整信息30秒；需填写原因，并记入审计日志。</translation>
    </message>
</context>
<context>
    <name>OpportunitiesTab</name>
    <message>
        <location filename="../../rm_desk/views/customer360/opportunities.py" line="+43"/>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{stage} ({probability}%)</source>
        <translation>{stage}（{probability}%）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Expected close</source>
        <translation>预计成交日</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Suitability</source>
        <translation>适当性</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+13"/>
        <source>Opportunities</source>
        <translation>商机</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{open} open, weighted pipeline {amount}</source>
        <translation>进行中 {open} 个，加权金额 {amount}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No opportunities for this customer.</source>
        <translation>该客户暂无商机。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Not checked</source>
        <translation>未检查</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>✓ Suitable</source>
        <translation>✓ 适当</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Blocked</source>
        <translation>已拦截</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>✗ {reason}</source>
        <translation>✗ {reason}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Checked on {date}: customer {customer}, product {product}</source>
        <translation>于{date}检查：客户 {customer}，产品 {product}</translation>
    </message>
</context>
<context>
    <name>OpportunityListScreen</name>
    <message>
        <location filename="../../rm_desk/views/opportunity_list.py" line="+57"/>
        <source>{stage} · {probability}%</source>
        <translation>{stage} · {probability}%</translation>
    </message>
    <message>
        <location line="+148"/>
        <source>Show won and lost</source>
        <translation>显示成交和失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show won and lost opportunities</source>
        <translation>显示成交和失败的商机</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+35"/>
        <source>Opportunities</source>
        <translation>商机</translation>
    </message>
    <message>
        <location line="-29"/>
        <source>Double-click an opportunity to open the customer&apos;s opportunities</source>
        <translation>双击商机可打开该客户的商机页</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No open opportunities.</source>
        <translation>没有进行中的商机。</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+6"/>
        <source>Totals by stage</source>
        <translation>各阶段合计</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Opportunities shown: {count}</source>
        <translation>显示商机：{count}</translation>
    </message>
</context>
<context>
    <name>OpportunityTableModel</name>
    <message>
        <location line="-173"/>
        <source>Prospect: {description}</source>
        <translation>潜在客户：{description}</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>A prospect, not yet a customer of the bank</source>
        <translation>潜在客户，尚未在本行开户</translation>
    </message>
    <message>
        <location line="-32"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weighted</source>
        <translation>加权金额</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Expected close</source>
        <translation>预计成交日</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
</context>
<context>
    <name>OverviewTab</name>
    <message>
        <location filename="../../rm_desk/views/customer360/overview.py" line="+149"/>
        <source>AUM</source>
        <translation>AUM</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Month-to-date average</source>
        <translation>月日均</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer since</source>
        <translation>成为客户日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last contact</source>
        <translation>最近联系</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next review</source>
        <translation>下次复核</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share</source>
        <translation>占比</translation>
    </message>
    <message>
        <location line="+14"/>
        <location line="+5"/>
        <source>AUM by category</source>
        <translation>AUM资产分布</translation>
    </message>
    <message>
        <location line="-2"/>
        <location line="+4"/>
        <source>Monthly average AUM, last 12 months</source>
        <translation>月日均AUM（近12个月）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Next best actions</source>
        <translation>下一步建议</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No monthly history yet</source>
        <translation>暂无月度历史数据</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>No risk assessment on file: invite the customer to take one</source>
        <translation>档案中无风险评估：请邀请客户完成风险测评</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Risk assessment expired on {date}: no investment sales until it is renewed</source>
        <translation>风险评估已于{date}过期：续评前不得销售投资产品</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Risk assessment expires on {date}: invite a renewal</source>
        <translation>风险评估将于{date}到期：请邀请客户重新测评</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Alert {rule}: {message}</source>
        <translation>提醒 {rule}：{message}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>1 overdue task: {title}</source>
        <translation>1 项待办已逾期：{title}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{count} overdue tasks, the oldest: {title}</source>
        <translation>{count} 项待办已逾期，最早的一项：{title}</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Time deposit ending {last4} matures on {date} ({amount}): discuss renewal</source>
        <translation>尾号{last4}的定期存款将于{date}到期（{amount}）：请沟通续存</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{product} matures on {date} ({amount}): discuss renewal</source>
        <translation>{product} 将于{date}到期（{amount}）：请沟通续作</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>{product} ({level}) is above the customer&apos;s risk level: review the holding</source>
        <translation>{product}（{level}）高于客户风险等级：请检视该持仓</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Portfolio review due on {date}: book it</source>
        <translation>资产检视应于{date}前进行：请预约</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Never contacted: introduce yourself</source>
        <translation>从未联系：请主动介绍自己</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No contact for {days} days: plan a call or visit</source>
        <translation>已 {days} 天未联系：请安排电话或拜访</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Nothing pressing.</source>
        <translation>暂无紧急事项。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Open the tab with the details</source>
        <translation>打开对应标签页查看详情</translation>
    </message>
</context>
<context>
    <name>PasswordForm</name>
    <message>
        <location filename="../../rm_desk/views/sign_in.py" line="+377"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>{title}: {message}</source>
        <translation>{title}：{message}</translation>
    </message>
</context>
<context>
    <name>PendingChangeModel</name>
    <message>
        <location filename="../../rm_desk/views/pending_change_model.py" line="+64"/>
        <source>Change</source>
        <translation>变更</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tries</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Saved</source>
        <translation>保存时间</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{kind}: {title}</source>
        <translation>{kind}：{title}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{op} · {what}</source>
        <translation>{op} · {what}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{change} — {fields}</source>
        <translation>{change} — {fields}</translation>
    </message>
</context>
<context>
    <name>ReauthDialog</name>
    <message>
        <location filename="../../rm_desk/views/sign_in.py" line="+160"/>
        <source>RM Desk — Sign in again</source>
        <translation>RM Desk — 重新登录</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your session has ended</source>
        <translation>您的会话已结束</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The bank&apos;s server ended the session of {name} ({user_id}), so sync has stopped. Enter your password to sign in again; your unsent changes are kept.</source>
        <translation>银行服务器已结束 {name}（{user_id}）的会话，同步已停止。请输入密码重新登录；尚未发送的修改会保留。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sign-in message</source>
        <translation>登录提示</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Signing in</source>
        <translation>正在登录</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
</context>
<context>
    <name>RevealReasonDialog</name>
    <message>
        <location filename="../../rm_desk/views/reveal.py" line="-268"/>
        <source>Reveal {field}</source>
        <translation>查看{field}明文</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Contacting the customer</source>
        <translation>联系客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Verifying the customer&apos;s identity</source>
        <translation>核实客户身份</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Servicing an account or transaction</source>
        <translation>办理账户或交易业务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>KYC or compliance review</source>
        <translation>KYC或合规审查</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other (describe below)</source>
        <translation>其他（请在下方说明）</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+23"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="-22"/>
        <source>Choose a reason…</source>
        <translation>请选择原因…</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+19"/>
        <source>Details</source>
        <translation>详细说明</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Details (required for Other)</source>
        <translation>详细说明（选择“其他”时必填）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The full value is shown for 30 seconds. The reveal and its reason are recorded for the bank&apos;s audit.</source>
        <translation>完整信息将显示30秒。本次查看及其原因将记入银行审计日志。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Reveal</source>
        <translation>查看明文</translation>
    </message>
</context>
<context>
    <name>Screenshots</name>
    <message>
        <location filename="../../rm_desk/views/screenshots.py" line="+156"/>
        <source>Customer&apos;s office</source>
        <translation>客户办公室</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reviewed the portfolio; the customer asked about a pension plan for next year.</source>
        <translation>检视了持仓；客户询问明年的养老规划。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Send two pension plan options</source>
        <translation>发送两套养老规划方案</translation>
    </message>
</context>
<context>
    <name>SearchBox</name>
    <message>
        <location filename="../../rm_desk/views/search.py" line="+194"/>
        <source>{title}: {message}</source>
        <translation>{title}：{message}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No customers match. Try pinyin, initials or the last 4 digits.</source>
        <translation>没有匹配的客户。可尝试拼音、首字母或号码后4位。</translation>
    </message>
    <message>
        <location line="+202"/>
        <source>Search customers: name, pinyin, initials, last 4 digits, tag… (Ctrl+K)</source>
        <translation>搜索客户：姓名、拼音、首字母、号码后4位、标签…（Ctrl+K）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Search customers</source>
        <translation>搜索客户</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Name, pinyin, initials, last 4 of mobile, ID or account, or a tag</source>
        <translation>姓名、拼音、首字母、手机/证件/账号后4位或标签</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Matching customers</source>
        <translation>匹配的客户</translation>
    </message>
</context>
<context>
    <name>SearchResultsModel</name>
    <message>
        <location filename="../../rm_desk/views/search_model.py" line="+58"/>
        <source>by name</source>
        <translation>姓名匹配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>by pinyin</source>
        <translation>拼音匹配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>by initials</source>
        <translation>首字母匹配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>by mobile last 4</source>
        <translation>手机尾号匹配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>by ID last 4</source>
        <translation>证件尾号匹配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>by account last 4</source>
        <translation>账号尾号匹配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>by last 4 digits</source>
        <translation>尾号匹配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>by tag</source>
        <translation>标签匹配</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>{name} · {tier} · {mobile} · AUM {aum} · {matched}</source>
        <translation>{name} · {tier} · {mobile} · AUM {aum} · {matched}</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../rm_desk/views/sign_in.py" line="-492"/>
        <source>RM Desk — Sign in</source>
        <translation>RM Desk — 登录</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sign in to RM Desk</source>
        <translation>登录 RM Desk</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Set by IT on this computer</source>
        <translation>由IT在本机设置</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Server:</source>
        <translation>服务器(&amp;S)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;User name:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sign-in message</source>
        <translation>登录提示</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Signing in</source>
        <translation>正在登录</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+142"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="-140"/>
        <source>Work offline</source>
        <translation>离线工作</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Opening the data on this computer…</source>
        <translation>正在打开本机数据…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Enter your user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>The bank&apos;s server cannot be reached. You can work offline with the data on this computer; your changes are sent when the connection is back.</source>
        <translation>无法连接银行服务器。您可以使用本机数据离线工作，联网后您的修改会自动发送。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The password is wrong. Attempts left before offline sign-in is blocked: {count}.</source>
        <translation>密码错误。再错 {count} 次将禁止离线登录。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{title}: {message}</source>
        <translation>{title}：{message}</translation>
    </message>
</context>
<context>
    <name>StageTotalsModel</name>
    <message>
        <location filename="../../rm_desk/views/opportunity_list.py" line="+71"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Weighted</source>
        <translation>加权金额</translation>
    </message>
</context>
<context>
    <name>SyncIssuesScreen</name>
    <message>
        <location filename="../../rm_desk/views/sync_issues.py" line="+209"/>
        <source>Sync issues</source>
        <translation>同步问题</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Waiting to send ({count})</source>
        <translation>待发送（{count}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Every change you made has reached the bank.</source>
        <translation>您的所有修改均已送达银行。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{conflicts} to decide · {rejected} refused · {pending} waiting</source>
        <translation>{conflicts} 项待决定 · {rejected} 项被拒绝 · {pending} 项待发送</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Conflicts to decide ({count})</source>
        <translation>待决定的冲突（{count}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No conflicts: your changes and the bank&apos;s agree.</source>
        <translation>没有冲突：您的数据与银行一致。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Changes the bank refused ({count})</source>
        <translation>被银行拒绝的修改（{count}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The bank accepted every change it received.</source>
        <translation>银行已接受收到的全部修改。</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>{kind}: {title}</source>
        <translation>{kind}：{title}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{kind} · {customer}</source>
        <translation>{kind} · {customer}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{record} — {field}</source>
        <translation>{record} — {field}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Before</source>
        <translation>修改前</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Yours</source>
        <translation>我的版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The bank&apos;s</source>
        <translation>银行的版本</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The bank deleted this record after you changed it. Keep mine adds it again with your changes; take theirs lets it go.</source>
        <translation>您修改后，银行删除了这条记录。“保留我的”会连同您的修改重新添加；“采用银行的”则放弃该记录。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>You deleted this record, and the bank changed it since. Keep mine deletes it anyway; take theirs keeps the bank&apos;s copy.</source>
        <translation>您删除了这条记录，但银行随后修改了它。“保留我的”仍会删除；“采用银行的”则保留银行的版本。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Keep mine</source>
        <translation>保留我的</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Take theirs</source>
        <translation>采用银行的</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{op} · {record}</source>
        <translation>{op} · {record}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The bank gave no reason.</source>
        <translation>银行未说明原因。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{field}: {problem}</source>
        <translation>{field}：{problem}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Drop this change and show the bank&apos;s copy again</source>
        <translation>放弃这项修改，重新显示银行的版本</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+5"/>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{field}: {value}</source>
        <translation>{field}：{value}</translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message>
        <location filename="../../rm_desk/views/status_bar.py" line="+60"/>
        <location line="+1"/>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+2"/>
        <source>Sign in again</source>
        <translation>重新登录</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>Working offline</source>
        <translation>离线工作中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Session ended — sign in to sync</source>
        <translation>会话已结束 — 请登录后同步</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Online · syncing</source>
        <translation>在线 · 同步中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pending changes: {count}</source>
        <translation>待发送修改：{count}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conflicts: {count}</source>
        <translation>冲突：{count}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Last sync: {age}</source>
        <translation>上次同步：{age}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{title}: {message}</source>
        <translation>{title}：{message}</translation>
    </message>
</context>
<context>
    <name>TaskListScreen</name>
    <message>
        <location filename="../../rm_desk/views/task_list.py" line="+117"/>
        <source>Open tasks</source>
        <translation>未完成的待办</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Tasks</source>
        <translation>待办</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>1 open task</source>
        <translation>1 项未完成待办</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{count} open tasks</source>
        <translation>{count} 项未完成待办</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All ({count})</source>
        <translation>全部（{count}）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{bucket} ({count})</source>
        <translation>{bucket}（{count}）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>All priorities</source>
        <translation>全部优先级</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open customer</source>
        <translation>打开客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mark done</source>
        <translation>标记完成</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>You have no open tasks.</source>
        <translation>您没有未完成的待办。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No tasks match these filters.</source>
        <translation>没有符合筛选条件的待办。</translation>
    </message>
</context>
<context>
    <name>TaskTableModel</name>
    <message>
        <location filename="../../rm_desk/views/task_model.py" line="+80"/>
        <source>Due</source>
        <translation>到期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Task</source>
        <translation>待办事项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No due date</source>
        <translation>无截止日期</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Today {time}</source>
        <translation>今天 {time}</translation>
    </message>
</context>
<context>
    <name>TasksTab</name>
    <message>
        <location filename="../../rm_desk/views/customer360/tasks_tab.py" line="+56"/>
        <source>Task</source>
        <translation>待办事项</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Due</source>
        <translation>到期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assignee</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+13"/>
        <source>Tasks</source>
        <translation>待办</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{open} open, {overdue} overdue, {total} in all</source>
        <translation>未完成 {open} 项，逾期 {overdue} 项，共 {total} 项</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No tasks for this customer.</source>
        <translation>该客户暂无待办。</translation>
    </message>
</context>
<context>
    <name>TodayScreen</name>
    <message>
        <location filename="../../rm_desk/views/today.py" line="+236"/>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <location line="+112"/>
        <source>{overdue} overdue · {due} due today · {alerts} new alerts</source>
        <translation>逾期 {overdue} 项 · 今日到期 {due} 项 · 新提醒 {alerts} 条</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>And {count} more — see them all in Tasks</source>
        <translation>还有 {count} 项，在“待办”中查看全部</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Overdue tasks ({count})</source>
        <translation>逾期待办（{count}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nothing is overdue. Well done.</source>
        <translation>没有逾期事项，干得好。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Due today ({count})</source>
        <translation>今日到期（{count}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No tasks are due today.</source>
        <translation>今天没有到期的待办。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Maturing this week ({count})</source>
        <translation>本周到期产品（{count}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nothing of your customers matures this week.</source>
        <translation>本周没有客户的产品到期。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Visits this week ({count})</source>
        <translation>本周拜访（{count}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No visits are planned this week.</source>
        <translation>本周没有计划拜访。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>And {count} more — see them all in Visits</source>
        <translation>还有 {count} 项，在“拜访”中查看全部</translation>
    </message>
    <message>
        <location line="+141"/>
        <source>Show {count} more of {total}</source>
        <translation>再显示 {count} 项（共 {total} 项）</translation>
    </message>
    <message>
        <location line="-163"/>
        <source>New alerts ({count})</source>
        <translation>新提醒（{count}）</translation>
    </message>
    <message>
        <location line="-87"/>
        <source>{overdue} overdue · {due} due today · 1 new alert</source>
        <translation>逾期 {overdue} 项 · 今日到期 {due} 项 · 新提醒 1 条</translation>
    </message>
    <message>
        <location line="+277"/>
        <source>No new alerts.</source>
        <translation>没有新提醒。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>{rule} {name} ({count})</source>
        <translation>{rule} {name}（{count}）</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Unknown customer</source>
        <translation>未知客户</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Open {name}</source>
        <translation>打开 {name}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Mark done</source>
        <translation>标记完成</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Mark the task done</source>
        <translation>将该待办标记为完成</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No due date</source>
        <translation>无截止日期</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Due today {time}</source>
        <translation>今天 {time} 到期</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Overdue since {day}</source>
        <translation>自{day}起逾期</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Due {day}</source>
        <translation>{day}到期</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Dismiss</source>
        <translation>忽略</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Holding</source>
        <translation>持仓</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Matures {day} · {amount}</source>
        <translation>{day}到期 · {amount}</translation>
    </message>
</context>
<context>
    <name>TransactionsTab</name>
    <message>
        <location filename="../../rm_desk/views/customer360/transactions.py" line="+122"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Counterparty</source>
        <translation>交易对手</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Other bank</source>
        <translation>他行</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bank server</source>
        <translation>银行服务器</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Older than the cached window; fetched from the bank&apos;s server and not kept on this computer.</source>
        <translation>早于本机缓存时间范围；从银行服务器获取，不保存在本机。</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+32"/>
        <source>Transactions</source>
        <translation>交易明细</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>Load older</source>
        <translation>加载更早记录</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Fetch history older than the cached window from the bank&apos;s server.</source>
        <translation>从银行服务器获取本机缓存时间范围之前的交易记录。</translation>
    </message>
    <message>
        <location line="+93"/>
        <source>Older history could not be fetched. Please try again later.</source>
        <translation>无法获取更早的交易记录，请稍后重试。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Showing {shown} of 1 cached transaction (last 90 days)</source>
        <translation>显示 {shown} / 共 1 笔本机缓存交易（近90天）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Showing {shown} of {count} cached transactions (last 90 days)</source>
        <translation>显示 {shown} / 共 {count} 笔本机缓存交易（近90天）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{cached} · {older} older from the bank&apos;s server</source>
        <translation>{cached} · 另有 {older} 笔来自银行服务器的更早记录</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Older history needs a connection to the bank.</source>
        <translation>获取更早的交易记录需要连接银行。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Loading older history…</source>
        <translation>正在加载更早的记录…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No older history at the bank.</source>
        <translation>银行没有更早的记录。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>{type} {number}</source>
        <translation>{type} {number}</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <location filename="../../rm_desk/views/sign_in.py" line="+137"/>
        <source>RM Desk — Locked</source>
        <translation>RM Desk — 已锁定</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>RM Desk is locked</source>
        <translation>RM Desk 已锁定</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signed in as {name} ({user_id}). Enter your password to continue.</source>
        <translation>当前登录：{name}（{user_id}）。请输入密码继续。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Unlock message</source>
        <translation>解锁提示</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>The password is wrong. Attempts left: {count}.</source>
        <translation>密码错误。剩余尝试次数：{count}。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The password was wrong a moment ago. Try again in {seconds} s.</source>
        <translation>密码刚刚输错，请在 {seconds} 秒后重试。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>RM Desk cannot unlock with this password any more. Sign out, then sign in online to continue. Your unsent changes are kept.</source>
        <translation>已无法用此密码解锁 RM Desk。请退出登录，再联网登录后继续。未发送的修改会保留。</translation>
    </message>
</context>
<context>
    <name>VisitForm</name>
    <message>
        <location filename="../../rm_desk/views/visit_form.py" line="-125"/>
        <source>Choose the customer you met.</source>
        <translation>请选择拜访的客户。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose the purpose of the visit.</source>
        <translation>请选择拜访目的。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The visit ends before it starts; check the end time.</source>
        <translation>拜访结束时间早于开始时间，请检查结束时间。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The follow-up cannot be due before today; choose a later day.</source>
        <translation>跟进待办的到期日不能早于今天，请选择之后的日期。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Follow up on the visit</source>
        <translation>拜访跟进</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Follow up: {purpose}</source>
        <translation>跟进：{purpose}</translation>
    </message>
    <message>
        <location line="+148"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+3"/>
        <source>Channel</source>
        <translation>方式</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+2"/>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+2"/>
        <source>Location</source>
        <translation>地点</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Where you met (no GPS), e.g. customer&apos;s office</source>
        <translation>拜访地点（不记录定位），如：客户办公室</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+2"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+4"/>
        <source>Notes</source>
        <translation>纪要</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>What was discussed</source>
        <translation>沟通内容</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+1"/>
        <source>Next steps</source>
        <translation>下一步</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+2"/>
        <source>Add a follow-up task</source>
        <translation>添加跟进待办</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>+{days}d</source>
        <translation>+{days}天</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Follow up in {days} days</source>
        <translation>{days}天后跟进</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Follow up tomorrow</source>
        <translation>明天跟进</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Follow-up due</source>
        <translation>跟进到期日</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Follow-up priority</source>
        <translation>跟进优先级</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Follow-up</source>
        <translation>跟进</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Follow-up task</source>
        <translation>跟进待办</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Task</source>
        <translation>待办</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save (Ctrl+Enter)</source>
        <translation>保存（Ctrl+Enter）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save the visit</source>
        <translation>保存拜访记录</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Saved on this computer first; sent to the bank at the next sync.</source>
        <translation>先保存在本机，下次同步时发送到银行。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Log a visit — RM Desk</source>
        <translation>记录拜访 — 客户经理工作台</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{group}: {choice}</source>
        <translation>{group}：{choice}</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>This customer is not in your book on this computer.</source>
        <translation>该客户不在本机的客户名单中。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{name} · {tier}</source>
        <translation>{name} · {tier}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Log a visit: {customer} — RM Desk</source>
        <translation>记录拜访：{customer} — 客户经理工作台</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose another customer…</source>
        <translation>选择其他客户…</translation>
    </message>
    <message>
        <location line="+91"/>
        <source>ends before it starts</source>
        <translation>结束早于开始</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{minutes} min</source>
        <translation>{minutes} 分钟</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} 小时 {minutes} 分钟</translation>
    </message>
    <message>
        <location line="+90"/>
        <source>Discard this visit?</source>
        <translation>放弃这条拜访记录？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This visit is not saved. Discard what you entered?</source>
        <translation>这条拜访记录尚未保存。要放弃已填写的内容吗？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep editing</source>
        <translation>继续编辑</translation>
    </message>
</context>
<context>
    <name>VisitListScreen</name>
    <message>
        <location filename="../../rm_desk/views/visit_list.py" line="+106"/>
        <source>This week</source>
        <translation>本周</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Show visits: {period}</source>
        <translation>显示拜访：{period}</translation>
    </message>
    <message>
        <location line="+16"/>
        <location line="+16"/>
        <source>Visits</source>
        <translation>拜访</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>Double-click a visit to open the customer&apos;s interactions</source>
        <translation>双击拜访记录可打开该客户的互动记录</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No visits in this period.</source>
        <translation>该时间段内没有拜访。</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Visits shown: {count}</source>
        <translation>显示拜访：{count}</translation>
    </message>
</context>
<context>
    <name>VisitTableModel</name>
    <message>
        <location line="-104"/>
        <source>{name} and {count} more</source>
        <translation>{name} 等 {count} 人</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RM</source>
        <translation>客户经理</translation>
    </message>
</context>
<context>
    <name>WorklistWords</name>
    <message>
        <location filename="../../rm_desk/views/worklist_words.py" line="+29"/>
        <source>Tier retention</source>
        <translation>等级保级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Upgrade opportunity</source>
        <translation>升级机会</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repayment shortfall</source>
        <translation>还款资金不足</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Maturity renewal</source>
        <translation>到期续作</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Large outflow</source>
        <translation>大额资金流出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dormancy and churn</source>
        <translation>睡眠与流失风险</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Birthday care</source>
        <translation>生日关怀</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Risk assessment expiring</source>
        <translation>风险评估即将到期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID document expiring</source>
        <translation>身份证件即将到期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unsuitable holding</source>
        <translation>持仓不适当</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Regular review due</source>
        <translation>定期复核到期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Task past its deadline</source>
        <translation>待办超时</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Due today</source>
        <translation>今日到期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Later</source>
        <translation>以后</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Customer profile</source>
        <translation>客户档案</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Visit</source>
        <translation>拜访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Task</source>
        <translation>待办事项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Alert</source>
        <translation>提醒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Relationship</source>
        <translation>关系</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The whole record</source>
        <translation>整条记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Completion note</source>
        <translation>完成说明</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Due</source>
        <translation>到期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assignee</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Expected close</source>
        <translation>预计成交日</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason lost</source>
        <translation>失败原因</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notes</source>
        <translation>纪要</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next steps</source>
        <translation>下一步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End</source>
        <translation>结束时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Location</source>
        <translation>地点</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Contact preferences</source>
        <translation>联系偏好</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Soft profile</source>
        <translation>软信息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Interests</source>
        <translation>兴趣爱好</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Family notes</source>
        <translation>家庭情况</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remarks</source>
        <translation>备注</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Do not disturb</source>
        <translation>勿扰</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edited</source>
        <translation>已编辑</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deleted</source>
        <translation>已删除</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Waiting to send</source>
        <translation>待发送</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sending</source>
        <translation>发送中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Held until an earlier change is sent</source>
        <translation>等待之前的修改发送后再发送</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for your decision</source>
        <translation>等待您决定</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refused by the bank</source>
        <translation>被银行拒绝</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Saved at the bank</source>
        <translation>银行已保存</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../rm_desk/views/error_words.py" line="+28"/>
        <source>Something went wrong</source>
        <translation>出现问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Local cache problem</source>
        <translation>本地缓存问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cache locked</source>
        <translation>缓存已锁定</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cache damaged</source>
        <translation>缓存已损坏</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Encryption unavailable</source>
        <translation>加密不可用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change not saved</source>
        <translation>修改未保存</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Configuration problem</source>
        <translation>配置问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The local cache cannot be opened with the key this computer holds for it. Nothing was changed or deleted. Sign in again online, or ask IT for help.</source>
        <translation>无法用本机保存的密钥打开本地缓存。没有任何数据被修改或删除。请重新联网登录，或联系IT协助。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The key of the local cache is missing from this computer&apos;s credential store. Nothing was changed or deleted. Sign in again online, or ask IT for help.</source>
        <translation>本机凭据库中缺少本地缓存的密钥。没有任何数据被修改或删除。请重新联网登录，或联系IT协助。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The system credential store could not be read, so the local cache stays locked. Nothing was changed or deleted. Unlock the credential store or ask IT for help.</source>
        <translation>无法读取系统凭据库，本地缓存保持锁定。没有任何数据被修改或删除。请解锁凭据库，或联系IT协助。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The database library on this computer does not encrypt. RM Desk will not store customer data without encryption; ask IT to reinstall RM Desk.</source>
        <translation>本机的数据库组件不支持加密。RM Desk 不会在未加密的情况下保存客户数据；请联系IT重新安装 RM Desk。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The local cache is damaged. It was moved aside and will be rebuilt from the bank&apos;s server at the next sign-in. Changes not yet sent may need to be re-entered; IT can recover them from the quarantined copy.</source>
        <translation>本地缓存已损坏，已被移至隔离区，下次登录时将从银行服务器重建。尚未发送的修改可能需要重新录入；IT可从隔离的副本中恢复。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The local cache could not be given its required safety settings. Ask IT to reinstall RM Desk.</source>
        <translation>无法为本地缓存设置必需的安全参数。请联系IT重新安装 RM Desk。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The local cache could not complete the operation. Try again; if it keeps happening, ask IT to run the RM Desk check-up.</source>
        <translation>本地缓存无法完成该操作。请重试；如反复出现，请联系IT运行 RM Desk 自检。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The cache key could not be saved in the system credential store. Unlock the credential store or ask IT for help.</source>
        <translation>无法将缓存密钥保存到系统凭据库。请解锁凭据库，或联系IT协助。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The local cache is damaged. RM Desk will check it and rebuild it from the bank&apos;s server.</source>
        <translation>本地缓存已损坏。RM Desk 将检查并从银行服务器重建。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The local cache is busy. Try again in a moment.</source>
        <translation>本地缓存正忙，请稍后重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cache busy</source>
        <translation>缓存繁忙</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A record from the server was set aside because it failed validation.</source>
        <translation>服务器发来的一条记录未通过校验，已被暂存隔离。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A full sync removed cached records the server no longer sends.</source>
        <translation>全量同步已删除服务器不再下发的缓存记录。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Only the person a task is assigned to can mark it done.</source>
        <translation>只有该待办的负责人才能将其标记为完成。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This task is closed already.</source>
        <translation>该待办已关闭。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This alert cannot be changed here.</source>
        <translation>此处不能修改该提醒。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This alert has been dealt with already.</source>
        <translation>该提醒已处理。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This kind of record is kept by the bank and cannot be changed here.</source>
        <translation>此类记录由银行维护，不能在此修改。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This kind of record cannot be created here.</source>
        <translation>此处不能新建此类记录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This kind of record cannot be deleted here.</source>
        <translation>此处不能删除此类记录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Some of these fields are kept by the bank and cannot be changed here.</source>
        <translation>其中部分字段由银行维护，不能在此修改。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>There is nothing to save.</source>
        <translation>没有需要保存的内容。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A record with this id already exists.</source>
        <translation>已存在相同编号的记录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This record could not be saved.</source>
        <translation>无法保存该记录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This record can only be added as your own proposal.</source>
        <translation>此类记录只能作为您的提议添加。</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>This record is no longer in your book, so the change could not be saved.</source>
        <translation>该记录已不在您的管户范围内，修改无法保存。</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>TLS verification cannot be turned off.</source>
        <translation>不能关闭TLS证书校验。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The server address must not contain a user name or password.</source>
        <translation>服务器地址中不能包含用户名或密码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The bank&apos;s CA certificate file cannot be read.</source>
        <translation>无法读取银行的CA证书文件。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The server address is not a valid web address.</source>
        <translation>服务器地址不是有效的网址。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The server address must start with https:// (plain http:// only for this computer itself).</source>
        <translation>服务器地址必须以 https:// 开头（仅本机地址可用 http://）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The bank&apos;s server did not answer in time. You can keep working; your changes are kept on this computer and sent later.</source>
        <translation>银行服务器未及时响应。您可以继续工作；修改会保存在本机，稍后发送。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The connection to the bank&apos;s server was interrupted. Your changes are kept on this computer and sent again.</source>
        <translation>与银行服务器的连接中断。您的修改保存在本机，将重新发送。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This computer may no longer use RM Desk with the bank&apos;s server. Its local data will be erased. Contact IT.</source>
        <translation>本机已不能再使用 RM Desk 连接银行服务器，本地数据将被清除。请联系IT。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sync problem</source>
        <translation>同步问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RM Desk could not complete the exchange with the bank&apos;s server. Your changes are kept on this computer.</source>
        <translation>RM Desk 未能完成与银行服务器的数据交换。您的修改保存在本机。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RM Desk cannot reach the bank&apos;s server. You can keep working; your changes are kept on this computer and sent when the connection is back.</source>
        <translation>RM Desk 无法连接银行服务器。您可以继续工作；修改会保存在本机，联网后自动发送。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Connection not secure</source>
        <translation>连接不安全</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RM Desk could not verify the identity of the bank&apos;s server, so it did not connect. If this keeps happening on the bank&apos;s network, contact IT.</source>
        <translation>RM Desk 无法验证银行服务器的身份，因此未建立连接。如在行内网络中反复出现，请联系IT。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Server unavailable</source>
        <translation>服务器不可用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The bank&apos;s server is busy or unavailable. RM Desk will try again shortly; your changes are kept.</source>
        <translation>银行服务器繁忙或不可用。RM Desk 稍后会自动重试；您的修改会保留。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Server busy</source>
        <translation>服务器繁忙</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The bank&apos;s server asked RM Desk to slow down. It will try again shortly; your changes are kept.</source>
        <translation>银行服务器要求 RM Desk 降低请求频率，稍后会自动重试；您的修改会保留。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Unexpected answer</source>
        <translation>响应异常</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The bank&apos;s server sent an answer RM Desk could not read. RM Desk will try again; if this keeps happening, contact IT.</source>
        <translation>银行服务器返回了 RM Desk 无法识别的响应。RM Desk 会重试；如反复出现，请联系IT。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sign-in problem</source>
        <translation>登录问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RM Desk could not sign you in. Please sign in again.</source>
        <translation>RM Desk 无法为您登录，请重新登录。</translation>
    </message>
    <message>
        <location line="-86"/>
        <source>Sign-in failed</source>
        <translation>登录失败</translation>
    </message>
    <message>
        <location line="-99"/>
        <source>must not be before the start</source>
        <translation>不能早于开始时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>must not be negative</source>
        <translation>不能为负数</translation>
    </message>
    <message>
        <location line="+68"/>
        <source>A value waiting in the conflict inbox or refused by the bank was replaced by a later edit of the same field.</source>
        <translation>冲突待处理或被银行拒绝的值，已被同一字段的后续修改取代。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>These sign-in details belong to a different user than the one signed in. To work as another user, sign out first.</source>
        <translation>这些登录信息属于另一位用户，而非当前登录的用户。如需以其他用户身份工作，请先退出登录。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Offline sign-in not possible</source>
        <translation>无法离线登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This user has not signed in online on this computer yet, so RM Desk cannot work offline. Connect to the bank&apos;s network and sign in once.</source>
        <translation>该用户尚未在本机在线登录过，因此无法离线工作。请连接银行网络并在线登录一次。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The password is wrong.</source>
        <translation>密码错误。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please wait</source>
        <translation>请稍候</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The password was wrong a moment ago. Wait a few seconds before trying again.</source>
        <translation>刚才的密码错误，请稍等几秒后再试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Offline sign-in blocked</source>
        <translation>离线登录已被禁止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The password was wrong too many times. Connect to the bank&apos;s network and sign in online to unlock RM Desk again.</source>
        <translation>密码错误次数过多。请连接银行网络并在线登录，以重新解锁 RM Desk。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Different user</source>
        <translation>用户不一致</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connection needed</source>
        <translation>需要联网</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RM Desk has not reached the bank&apos;s server for too long, so working offline is blocked. Connect to the bank&apos;s network and sign in. Your unsent changes are kept.</source>
        <translation>RM Desk 已过久未连接银行服务器，离线工作已被禁止。请连接银行网络并登录。您尚未发送的修改会被保留。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The bank&apos;s server refused the upload of the audit log. The events are kept on this computer and sent again at the next sync.</source>
        <translation>银行服务器拒绝了审计日志的上传。这些记录保留在本机上，将在下次同步时重新发送。</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>The username or password is wrong.</source>
        <translation>用户名或密码错误。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Account locked</source>
        <translation>账号已锁定</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many failed sign-ins. The account is locked for a while; try again later or contact IT.</source>
        <translation>登录失败次数过多，账号已暂时锁定。请稍后重试或联系IT。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Signed out</source>
        <translation>已退出登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your session has ended. Please sign in again; your changes are kept.</source>
        <translation>您的会话已结束，请重新登录；您的修改会保留。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Device revoked</source>
        <translation>设备已停用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This computer may no longer use RM Desk with the bank&apos;s server. Contact IT.</source>
        <translation>本机已不能再使用 RM Desk 连接银行服务器。请联系IT。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Full sync needed</source>
        <translation>需要全量同步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The bank&apos;s server can no longer send only the latest changes. RM Desk will download your book again; your unsent changes are kept.</source>
        <translation>银行服务器已无法只发送最新变更。RM Desk 将重新下载您的管户数据；未发送的修改会保留。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not allowed</source>
        <translation>无权操作</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You do not have permission for this action.</source>
        <translation>您没有执行此操作的权限。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The bank&apos;s server no longer has this record, or it is not in your book.</source>
        <translation>银行服务器上已没有这条记录，或它不在您的管户范围内。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Request refused</source>
        <translation>请求被拒绝</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The bank&apos;s server refused this request. It is kept in the sync issues list so nothing is lost.</source>
        <translation>银行服务器拒绝了该请求。它已保留在同步问题列表中，不会丢失。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Change sent twice differently</source>
        <translation>同一修改重复发送且内容不一致</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The bank&apos;s server already received a different change under the same number. The change is kept in the sync issues list so nothing is lost.</source>
        <translation>银行服务器已用同一编号收到过另一项不同的修改。该修改已保留在同步问题列表中，不会丢失。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose your version, the bank&apos;s version, or enter a value.</source>
        <translation>请选择您的版本、银行的版本，或输入一个值。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This conflict cannot be decided here.</source>
        <translation>此处无法决定该冲突。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This conflict has been decided already.</source>
        <translation>该冲突已决定。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The bank removed this record, and records of this kind cannot be created here.</source>
        <translation>银行已删除这条记录，且此类记录不能在此新建。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This change is no longer in the sync issues list.</source>
        <translation>该修改已不在同步问题列表中。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>For a whole record, keep your version or the bank&apos;s.</source>
        <translation>对于整条记录，请保留您的版本或银行的版本。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A field changed on both sides was merged by its rule.</source>
        <translation>一个在两端都被修改的字段已按规则自动合并。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The bank already had the value of an edit; a later edit of the same field is merged against the value before it.</source>
        <translation>银行端已有某项修改的值；同一字段的后续修改将以修改前的值为基准进行合并。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>An edit that met a conflict behind an earlier edit of the same field is sent again after it.</source>
        <translation>一项修改因同一字段的较早修改尚未送达而发生冲突，将在较早修改之后重新发送。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>An edit that met a conflict was left out: a later edit of the same field goes to the bank.</source>
        <translation>一项发生冲突的修改已略去：同一字段的较新修改将发送到银行。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sync stopped</source>
        <translation>同步已停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync stopped because of an unexpected problem. Your changes are kept on this computer. Try Sync now; if it keeps happening, contact IT.</source>
        <translation>同步因意外问题而停止。您的修改保存在本机。请点击“立即同步”；如反复出现，请联系IT。</translation>
    </message>
    <message>
        <location filename="../../rm_desk/views/csv_export.py" line="+51"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The file could not be written. Check that the folder exists and that you may write to it, then try again.</source>
        <translation>文件无法写入。请确认文件夹存在且您有写入权限，然后重试。</translation>
    </message>
</context>
</TS>
